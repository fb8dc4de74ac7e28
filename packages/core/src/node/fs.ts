/**
 * `@signet/core/node-fs`: the file helpers every Node-side package shares (Node-only; the main
 * entry of `@signet/core` stays runtime-neutral).
 */
export { writeFileAtomic } from './atomic-write.js';
export { InputTooLargeError, readFileBounded, readStreamBounded } from './bounded-read.js';
export { describeFileError } from './file-errors.js';
export { fileStamp, pollFiles, type FilePoll, type FilePollOptions } from './file-poll.js';
export { readTextFile, TextFileError } from './text-file.js';
export { FileWriteError, writePublicFile } from './public-file.js';
