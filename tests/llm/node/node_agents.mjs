// @openai/agents: a two-step tool-calling loop against the mock, over the Chat Completions API
// (setOpenAIAPI('chat_completions'): finish_reason "tool_calls" then "stop"; non-streamed by
// default, --stream runs it streamed). Tracing export is disabled (no network). The mock answers
// the first request with a call of run_shell {"cmd":"echo hi"}; the tool runs it with sh; the
// second request carries the tool output and gets the final text. Prints "ok 2".
import OpenAI from 'openai';
import { execFileSync } from 'node:child_process';
import { Agent, run, setDefaultOpenAIClient, setOpenAIAPI, setTracingDisabled, tool } from '@openai/agents';
import { z } from 'zod';
import { MODEL, SECRET, expect, parseArgs } from './node_common.mjs';

const a = parseArgs();
setTracingDisabled(true);
setDefaultOpenAIClient(new OpenAI({ baseURL: a.base + '/v1', apiKey: SECRET, maxRetries: 0, timeout: 30000 }));
setOpenAIAPI('chat_completions');

let calls = 0;
const runShell = tool({
  name: 'run_shell',
  description: 'Run a shell command and return its output',
  parameters: z.object({ cmd: z.string() }),
  execute: async ({ cmd }) => {
    calls++;
    return execFileSync('sh', ['-c', cmd], { encoding: 'utf8' });
  },
});
const agent = new Agent({ name: 'mock-agent', instructions: 'Use the tool, then answer.', model: MODEL, tools: [runShell] });
let out;
if (a.flags.has('stream')) {
  const res = await run(agent, 'node agents: say hi through the shell', { stream: true });
  for await (const _ of res) { /* drain */ }
  await res.completed;
  out = res.finalOutput;
} else {
  out = (await run(agent, 'node agents: say hi through the shell')).finalOutput;
}
expect(calls === 1 && typeof out === 'string' && out.startsWith('Mock answer'), `agents: calls=${calls} out=${out}`);
console.log('ok 2');
