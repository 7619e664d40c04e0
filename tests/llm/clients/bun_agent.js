// A small agent loop on Bun's own fetch() (BoringSSL linked into the bun binary, no symbols):
// 1. chat completion with a tool -> the mock asks for the tool; the tool runs as a child process
// 2. the tool's output goes back, streamed (SSE) -> the final answer
// 3. an Anthropic /v1/messages stream, on the same keep-alive connection pool
// Prints "ok 3". usage: bun bun_agent.js --base https://127.0.0.1:PORT --ca CERT.pem
import { readFileSync } from "node:fs";
import { spawnSync } from "node:child_process";
import { dirname, join } from "node:path";

const arg = (name) => process.argv[process.argv.indexOf(name) + 1];
const base = arg("--base");
const ca = readFileSync(arg("--ca"), "utf8");
const secret = readFileSync(join(dirname(import.meta.path), "..", "secret"), "utf8").trim();
const model = "gpt-mock-1";

function fail(what) {
	console.error("FAIL: " + what);
	process.exit(1);
}

async function post(path, headers, body) {
	const r = await fetch(base + path, {
		method: "POST",
		headers: { "Content-Type": "application/json", ...headers },
		body: JSON.stringify(body),
		tls: { ca },
	});
	if (r.status !== 200) fail(path + ": HTTP " + r.status);
	return r;
}

const tools = [{
	type: "function",
	function: {
		name: "run_shell", description: "Run a shell command.",
		parameters: { type: "object", properties: { cmd: { type: "string" } }, required: ["cmd"] },
	},
}];
const messages = [
	{ role: "system", content: "You are a terse agent." },
	{ role: "user", content: "bun agent: use the tool, then answer." },
];
const auth = { Authorization: "Bearer " + secret };

const first = (await (await post("/v1/chat/completions", auth, { model, messages, tools })).json()).choices[0];
if (first.finish_reason !== "tool_calls") fail("expected a tool call");
const call = first.message.tool_calls[0];
const out = spawnSync("/bin/sh", ["-c", JSON.parse(call.function.arguments).cmd], { encoding: "utf8" });
messages.push(first.message, { role: "tool", tool_call_id: call.id, content: out.stdout });

const sse = await (await post("/v1/chat/completions", auth, { model, messages, tools, stream: true })).text();
if (!sse.includes("data: [DONE]")) fail("chat stream not finished");

const msg = await (await post("/v1/messages", { "x-api-key": secret, "anthropic-version": "2023-06-01" }, {
	model: "claude-mock-1", max_tokens: 64, stream: true,
	messages: [{ role: "user", content: "bun agent: summarise " + out.stdout.trim() }],
})).text();
if (!msg.includes("message_stop")) fail("messages stream not finished");
console.log("ok 3");
