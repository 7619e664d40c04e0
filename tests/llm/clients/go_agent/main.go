// go_agent: a small agent written in Go (stdlib only: net/http + encoding/json), so the tracer
// meets Go's own crypto/tls. It asks /v1/chat/completions with a tool, runs the tool it is asked
// for as a child process, sends the result back and gets the answer; then one streamed (SSE)
// request. 3 requests, over HTTP/2 (net/http's default over TLS) or, with -http1, HTTP/1.1.
package main

import (
	"bufio"
	"bytes"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"sort"
	"strings"
	"time"
)

type message struct {
	Role       string     `json:"role"`
	Content    *string    `json:"content"`
	ToolCalls  []toolCall `json:"tool_calls,omitempty"`
	ToolCallID string     `json:"tool_call_id,omitempty"`
}

type toolCall struct {
	ID       string `json:"id"`
	Type     string `json:"type"`
	Function struct {
		Name      string `json:"name"`
		Arguments string `json:"arguments"`
	} `json:"function"`
}

type choice struct {
	Message      message `json:"message"`
	FinishReason string  `json:"finish_reason"`
}

var (
	base   = flag.String("base", "", "https://127.0.0.1:PORT")
	caFile = flag.String("ca", "", "the mock server's CA (cert.pem)")
	keyF   = flag.String("key-file", "", "file holding the API key")
	http1  = flag.Bool("http1", false, "HTTP/1.1 only (no h2 in ALPN)")
	big    = flag.Int("big", 0, "N: a user message of N bytes, answers padded to N/2 (many TLS records)")
	bench  = flag.Int("bench", 0, "N: instead of the agent, N sequential requests of -size bytes, timed")
	size   = flag.Int("size", 1024, "-bench: the message's size")
	bargs  = flag.Bool("benchargs", false, "-bench from the arguments PORT CA SIZE N (scripts/bench_tls.py's client form)")
	client *http.Client
	key    string
)

func die(f string, a ...interface{}) {
	fmt.Fprintf(os.Stderr, "FAIL: "+f+"\n", a...)
	os.Exit(1)
}

func str(s string) *string { return &s }

func post(body interface{}) *http.Response {
	b, err := json.Marshal(body)
	if err != nil {
		die("marshal: %v", err)
	}
	req, err := http.NewRequest("POST", *base+"/v1/chat/completions", bytes.NewReader(b))
	if err != nil {
		die("request: %v", err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+key)
	if *big > 0 {
		req.Header.Set("x-mock-answer-bytes", fmt.Sprint(*big/2))
	}
	resp, err := client.Do(req)
	if err != nil {
		die("post: %v", err)
	}
	if resp.StatusCode != 200 {
		die("status %d", resp.StatusCode)
	}
	want := 2
	if *http1 {
		want = 1
	}
	if resp.ProtoMajor != want {
		die("spoke %s, wanted HTTP/%d", resp.Proto, want)
	}
	return resp
}

func chat(model string, msgs []message, tools interface{}) choice {
	resp := post(map[string]interface{}{"model": model, "messages": msgs, "tools": tools})
	defer resp.Body.Close()
	var out struct {
		Choices []choice `json:"choices"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil || len(out.Choices) == 0 {
		die("decode: %v", err)
	}
	return out.Choices[0]
}

// askStream reads the SSE answer to its end ([DONE]) and returns the text.
func askStream(model string, msgs []message) string {
	resp := post(map[string]interface{}{"model": model, "messages": msgs, "stream": true})
	defer resp.Body.Close()
	var text strings.Builder
	sc := bufio.NewScanner(resp.Body)
	for sc.Scan() {
		line := sc.Text()
		if !strings.HasPrefix(line, "data: ") {
			continue
		}
		d := line[6:]
		if d == "[DONE]" {
			return text.String()
		}
		var ch struct {
			Choices []struct {
				Delta struct {
					Content string `json:"content"`
				} `json:"delta"`
			} `json:"choices"`
		}
		if err := json.Unmarshal([]byte(d), &ch); err != nil {
			die("stream chunk: %v", err)
		}
		for _, c := range ch.Choices {
			text.WriteString(c.Delta.Content)
		}
	}
	die("stream ended without [DONE]: %v", sc.Err())
	return ""
}

// benchPause: with BENCH_TLS_PAUSE=FIFO, say so on stdout and wait until bench_tls.py, which
// reads the tracer's BPF statistics meanwhile, writes FIFO (before the first request, after the
// last: the tracer is still running then).
func benchPause() {
	if f := os.Getenv("BENCH_TLS_PAUSE"); f != "" {
		fmt.Println("agt-bench-pause")
		if _, err := os.ReadFile(f); err != nil {
			die("pause: %v", err)
		}
	}
}

// runBench: scripts/bench_tls.py's Go row, the same requests as its Python client (keep-alive,
// one at a time, each round trip timed here). Prints {"median_us":..,"p90_us":..}.
func runBench() {
	msgs := []message{{Role: "user", Content: str(strings.Repeat("x", *size))}}
	lat := make([]time.Duration, 0, *bench)
	benchPause()
	defer benchPause()
	for i := 0; i < *bench; i++ {
		t := time.Now()
		resp := post(map[string]interface{}{"model": "bench-1", "messages": msgs})
		if _, err := io.Copy(io.Discard, resp.Body); err != nil {
			die("read: %v", err)
		}
		resp.Body.Close()
		lat = append(lat, time.Since(t))
	}
	sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
	fmt.Printf("{\"median_us\": %.1f, \"p90_us\": %.1f}\n",
		float64(lat[len(lat)/2].Nanoseconds())/1000, float64(lat[len(lat)*9/10].Nanoseconds())/1000)
}

func main() {
	flag.Parse()
	if *bargs {
		a := flag.Args()
		if len(a) != 4 {
			die("-benchargs: PORT CA SIZE N")
		}
		*base, *caFile = "https://127.0.0.1:"+a[0], a[1]
		fmt.Sscan(a[2], size)
		fmt.Sscan(a[3], bench)
	}
	pem, err := os.ReadFile(*caFile)
	if err != nil {
		die("ca: %v", err)
	}
	key = "sk-bench-0123456789abcdefghij" // -bench without -key-file: the Python bench client's
	if *keyF != "" {
		k, err := os.ReadFile(*keyF)
		if err != nil {
			die("key: %v", err)
		}
		key = strings.TrimSpace(string(k))
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(pem) {
		die("ca: no certificate in %s", *caFile)
	}
	tr := &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}, ForceAttemptHTTP2: true}
	if *http1 {
		// a non-nil empty map: net/http offers only http/1.1 in ALPN
		tr.TLSNextProto = map[string]func(string, *tls.Conn) http.RoundTripper{}
		tr.ForceAttemptHTTP2 = false
	}
	client = &http.Client{Transport: tr}
	if *bench > 0 {
		runBench()
		return
	}

	tools := []map[string]interface{}{{"type": "function", "function": map[string]interface{}{
		"name": "run_shell", "description": "Run a shell command.",
		"parameters": map[string]interface{}{"type": "object",
			"properties": map[string]interface{}{"cmd": map[string]string{"type": "string"}},
			"required":   []string{"cmd"}}}}}
	ask := "Use the tool, then answer."
	if *big > 0 {
		ask += " " + strings.Repeat("0123456789abcdef", *big/16)
	}
	msgs := []message{{Role: "system", Content: str("You run tools.")},
		{Role: "user", Content: str(ask)}}

	first := chat("gpt-mock-1", msgs, tools)
	if first.FinishReason != "tool_calls" || len(first.Message.ToolCalls) == 0 {
		die("expected a tool call, got %q", first.FinishReason)
	}
	call := first.Message.ToolCalls[0]
	var a struct {
		Cmd string `json:"cmd"`
	}
	if err := json.Unmarshal([]byte(call.Function.Arguments), &a); err != nil {
		die("tool arguments: %v", err)
	}
	out, err := exec.Command("sh", "-c", a.Cmd).Output()
	if err != nil {
		die("tool: %v", err)
	}
	msgs = append(msgs, first.Message,
		message{Role: "tool", ToolCallID: call.ID, Content: str(string(out))})
	final := chat("gpt-mock-1", msgs, tools)
	if final.FinishReason != "stop" || final.Message.Content == nil ||
		!strings.HasPrefix(*final.Message.Content, "Mock") {
		die("final answer: %q", final.FinishReason)
	}
	msgs = append(msgs, final.Message, message{Role: "user", Content: str("Now stream it.")})
	if s := askStream("gpt-mock-2", msgs); !strings.HasPrefix(s, "Mock") {
		die("streamed answer: %q", s)
	}
	client.CloseIdleConnections()
	fmt.Println("ok 3")
}
