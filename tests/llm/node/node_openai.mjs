// The official `openai` npm package against the mock: chat (plain), chat streamed with a tool call
// (stream_options.include_usage), responses (plain), responses streamed. Prints "ok 4".
import OpenAI from 'openai';
import { MODEL, SECRET, expect, parseArgs } from './node_common.mjs';

const a = parseArgs();
const client = new OpenAI({ baseURL: a.base + '/v1', apiKey: SECRET, maxRetries: 0, timeout: 30000 });
const tools = [{
  type: 'function',
  function: {
    name: 'run_shell', description: 'Run a shell command',
    parameters: { type: 'object', properties: { cmd: { type: 'string' } }, required: ['cmd'] },
  },
}];

// 1. chat, not streamed
const c1 = await client.chat.completions.create({
  model: MODEL, messages: [{ role: 'system', content: 'Be brief.' }, { role: 'user', content: 'node chat plain' }],
});
expect(c1.choices[0].message.content.startsWith('Mock answer') && c1.usage.prompt_tokens > 0, 'chat plain');

// 2. chat, streamed, answered by a tool call
const s = await client.chat.completions.create({
  model: MODEL, stream: true, stream_options: { include_usage: true }, tools,
  messages: [{ role: 'user', content: 'node chat stream: list files' }],
});
let args = '', name = '', finish = '', usage = null;
for await (const ch of s) {
  if (ch.usage) usage = ch.usage;
  const ch0 = ch.choices[0];
  if (!ch0) continue;
  for (const tc of ch0.delta.tool_calls ?? []) {
    if (tc.function?.name) name = tc.function.name;
    args += tc.function?.arguments ?? '';
  }
  if (ch0.finish_reason) finish = ch0.finish_reason;
}
expect(name === 'run_shell' && args === '{"cmd":"echo hi"}' && finish === 'tool_calls' && usage,
  `chat stream tool call: ${name} ${args} ${finish} ${JSON.stringify(usage)}`);

// 3. responses, not streamed
const r1 = await client.responses.create({ model: MODEL, instructions: 'Be brief.', input: 'node responses plain' });
expect(r1.output_text.startsWith('Mock answer') && r1.usage.output_tokens > 0, 'responses plain');

// 4. responses, streamed
const rs = await client.responses.create({ model: MODEL, input: [{ role: 'user', content: 'node responses stream' }], stream: true });
let text = '', done = null;
for await (const ev of rs) {
  if (ev.type === 'response.output_text.delta') text += ev.delta;
  if (ev.type === 'response.completed') done = ev.response;
}
expect(text.startsWith('Mock answer') && done && done.usage.input_tokens > 0, 'responses stream');
console.log('ok 4');
