// gosym: Go's own reader of a binary's function table (debug/elf + debug/gosym, stdlib), the
// oracle go_tests.sh compares the tracer's reader (user/gopclntab.c) with on stripped binaries,
// where `go tool nm` has no symbols to list. Prints "ENTRY END NAME" (hex) per function.
package main

import (
	"debug/elf"
	"debug/gosym"
	"fmt"
	"os"
)

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: gosym FILE")
		os.Exit(2)
	}
	f, err := elf.Open(os.Args[1])
	if err != nil {
		fmt.Fprintln(os.Stderr, "gosym:", err)
		os.Exit(1)
	}
	sec := f.Section(".gopclntab")
	if sec == nil {
		sec = f.Section(".data.rel.ro.gopclntab")
	}
	text := f.Section(".text")
	if sec == nil || text == nil {
		fmt.Fprintln(os.Stderr, "gosym: no .gopclntab or .text")
		os.Exit(1)
	}
	data, err := sec.Data()
	if err != nil {
		fmt.Fprintln(os.Stderr, "gosym:", err)
		os.Exit(1)
	}
	tab, err := gosym.NewTable(nil, gosym.NewLineTable(data, text.Addr))
	if err != nil {
		fmt.Fprintln(os.Stderr, "gosym:", err)
		os.Exit(1)
	}
	for _, fn := range tab.Funcs {
		fmt.Printf("%x %x %s\n", fn.Entry, fn.End, fn.Name)
	}
}
