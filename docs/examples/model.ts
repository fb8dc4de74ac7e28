/**
 * A stand-in for your model server in the provider examples: answers an OpenAI-style chat request
 * whole (JSON) or streamed (server-sent events). Replace it with your own handler.
 */

interface ChatRequest {
  model?: string;
  stream?: boolean;
  messages?: { role: string; content: string }[];
}

function answer(request: ChatRequest): string {
  return `You asked: ${request.messages?.at(-1)?.content ?? ''}. Here is a sealed answer.`;
}

/** A whole `chat.completion` response. */
export function chatCompletion(request: ChatRequest): Response {
  return Response.json({
    id: `chatcmpl-${crypto.randomUUID()}`,
    object: 'chat.completion',
    created: Math.floor(Date.now() / 1000),
    model: request.model ?? 'example-model',
    choices: [{ index: 0, message: { role: 'assistant', content: answer(request), refusal: null }, finish_reason: 'stop' }],
  });
}

/** A streamed answer: `chat.completion.chunk` events, then `[DONE]`. */
export function chatStream(request: ChatRequest): Response {
  const id = `chatcmpl-${crypto.randomUUID()}`;
  const base = { id, object: 'chat.completion.chunk', created: Math.floor(Date.now() / 1000), model: request.model ?? 'example-model' };
  const words = answer(request).match(/\S+\s*/g) ?? [];
  const encoder = new TextEncoder();
  const event = (data: unknown): Uint8Array => encoder.encode(`data: ${JSON.stringify(data)}\n\n`);
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      controller.enqueue(event({ ...base, choices: [{ index: 0, delta: { role: 'assistant', content: '' }, finish_reason: null }] }));
      for (const w of words) controller.enqueue(event({ ...base, choices: [{ index: 0, delta: { content: w }, finish_reason: null }] }));
      controller.enqueue(event({ ...base, choices: [{ index: 0, delta: {}, finish_reason: 'stop' }] }));
      controller.enqueue(encoder.encode('data: [DONE]\n\n'));
      controller.close();
    },
  });
  return new Response(body, { headers: { 'content-type': 'text/event-stream' } });
}

/** Answers a chat request, streamed when it asks for a stream. */
export async function modelApi(request: Request): Promise<Response> {
  const body = (await request.json()) as ChatRequest;
  return body.stream === true ? chatStream(body) : chatCompletion(body);
}
