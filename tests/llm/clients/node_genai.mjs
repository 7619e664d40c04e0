// Entry point kept beside the other clients; the code lives in ../node/node_genai.mjs so that its
// imports resolve against ../node/node_modules (ESM ignores NODE_PATH).
await import('../node/node_genai.mjs');
