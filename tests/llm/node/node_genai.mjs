// @google/genai (the SDK under @google/gemini-cli): a two-step function-calling loop against the
// mock's Gemini endpoints. Step 1 streams (models.generateContentStream: POST
// /v1beta/models/gemini-mock-1:streamGenerateContent?alt=sse, key in x-goog-api-key) and gets a
// functionCall of run_shell {"cmd":"echo hi"}; the tool runs it with sh; step 2 (models.
// generateContent, plain) sends the functionCall and its functionResponse back and gets the final
// text. The SDK reads the stream to its end: Gemini's SSE has no [DONE]. Prints "ok 2".
import { GoogleGenAI } from '@google/genai';
import { execFileSync } from 'node:child_process';
import { SECRET, expect, parseArgs } from './node_common.mjs';

const a = parseArgs();
const model = 'gemini-mock-1';
const ai = new GoogleGenAI({ apiKey: SECRET, httpOptions: { baseUrl: a.base, timeout: 30000 } });
const config = {
  systemInstruction: 'Use the tool, then answer.',
  temperature: 0,
  tools: [{
    functionDeclarations: [{
      name: 'run_shell',
      description: 'Run a shell command and return its output',
      parametersJsonSchema: { type: 'object', properties: { cmd: { type: 'string' } }, required: ['cmd'] },
    }],
  }],
};
const contents = [{ role: 'user', parts: [{ text: 'node genai: say hi through the shell' }] }];

const calls = [];
let chunks = 0;
for await (const chunk of await ai.models.generateContentStream({ model, contents, config })) {
  chunks++;
  calls.push(...(chunk.functionCalls ?? []));
}
expect(chunks >= 2 && calls.length === 1 && calls[0].name === 'run_shell', `step 1: chunks=${chunks} calls=${JSON.stringify(calls)}`);
const output = execFileSync('sh', ['-c', calls[0].args.cmd], { encoding: 'utf8' });
contents.push({ role: 'model', parts: [{ functionCall: calls[0] }] });
contents.push({ role: 'user', parts: [{ functionResponse: { name: calls[0].name, response: { output } } }] });
const r = await ai.models.generateContent({ model, contents, config });
expect(typeof r.text === 'string' && r.text.startsWith('Mock answer') && !r.functionCalls,
  `step 2: ${JSON.stringify(r)}`);
console.log('ok 2');
