import OpenAI from 'openai';
import { createVerifyingFetch, verificationOf, type FetchVerification } from '@signet/verify';

/**
 * A client that verifies every answer: the official openai client with a verifying fetch. Whole
 * answers are verified before `create` returns; streams are passed through as they arrive and
 * verified when they end.
 */
export async function askVerified(options: {
  baseURL: string;
  apiKey: string;
  issuer?: string;
  jwks?: unknown;
}): Promise<FetchVerification[]> {
  // The provider publishes its public keys; fetch them once, or pin them in your configuration.
  const jwks = options.jwks ?? (await (await fetch(`${new URL(options.baseURL).origin}/.well-known/signet/jwks.json`)).json());

  const results: FetchVerification[] = [];
  const verifyingFetch = createVerifyingFetch({
    trust: jwks as Parameters<typeof createVerifyingFetch>[0]['trust'],
    // Require the issuer you expect; any field left out is not checked.
    ...(options.issuer === undefined ? {} : { policy: { issuers: [options.issuer] } }),
    // Every verified response is reported here...
    onResult: (result) => results.push(result),
    // ...and a tampered, truncated or unsealed answer throws instead of being returned.
    throwOnFailure: true,
  });
  const client = new OpenAI({ baseURL: options.baseURL, apiKey: options.apiKey, fetch: verifyingFetch });

  // A whole answer. The verification of one response is also reachable from the response itself.
  const { data, response } = await client.chat.completions
    .create({ model: 'example-model', messages: [{ role: 'user', content: 'Is this answer sealed?' }] })
    .withResponse();
  const verification = await verificationOf(response);
  console.log(data.choices[0]?.message.content, '->', verification?.valid ? 'verified' : verification?.code);

  // A streamed answer: chunks arrive as usual; the loop ends only after the stream verified.
  const stream = await client.chat.completions.create({
    model: 'example-model',
    messages: [{ role: 'user', content: 'And a stream?' }],
    stream: true,
  });
  let text = '';
  for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? '';
  console.log(text, '->', results.at(-1)?.valid ? 'verified' : 'not verified');
  return results;
}
