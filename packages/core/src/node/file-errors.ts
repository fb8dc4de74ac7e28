/**
 * What went wrong with a file, in words: the user never sees an errno code ("ENOENT") or the
 * system call that failed.
 */
export function describeFileError(path: string, cause: unknown, writing = false): string {
  const code = (cause as NodeJS.ErrnoException | undefined)?.code;
  switch (code) {
    case 'ENOENT':
      return writing ? `cannot write ${path}: a folder on its path does not exist` : `${path} does not exist`;
    case 'EACCES':
    case 'EPERM':
      return `${path} is not ${writing ? 'writable' : 'readable'} (permission denied)`;
    case 'EISDIR':
      return `${path} is a folder, not a file`;
    case 'ENOTDIR':
      return `${path} is not inside a folder: part of its path is a file`;
    case 'EEXIST':
      return `${path} already exists`;
    case 'ENOSPC':
      return `cannot write ${path}: the disk is full`;
    case 'EROFS':
      return `cannot write ${path}: the file system is read-only`;
    default:
      return writing ? `cannot write ${path}` : `cannot read ${path}`;
  }
}
