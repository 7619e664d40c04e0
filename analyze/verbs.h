/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * verbs.h - the offline verbs of agtrace-bpf over recordings, for main's dispatch table:
 *
 *   agtrace-bpf records [DIR] [--json]
 *   agtrace-bpf replay REC [--goto SEQ] [--next] [--prev] [--list K] [--diff SEQ[,SEQ]]
 *                          [--summary] [-e CMD]...        (else commands from stdin / a tty)
 *   agtrace-bpf diff REC SEQ1 SEQ2 [--json]
 *   agtrace-bpf fork REC --at SEQ [--system FILE] [--append ROLE:TEXT]... [--replace-last TEXT]
 *                        [--drop-last N] [-o FILE] [--as-request]
 *
 * REC is a recording directory or a record id under the base directory (--output-dir DIR, else
 * $AGTRACE_DIR, else ./agtrace-recordings). argv[0] is the verb's name; each takes --help.
 * Each returns the process exit code: 0, or 1 after one error line on stderr
 * ("agtrace-bpf: <file>:<line>: <what>"; with --json also {"error": ...} on stdout).
 * The verbs use getopt_long and reset it (optind = 0) first.
 */
#ifndef AGT_VERBS_H
#define AGT_VERBS_H

int verb_records(int argc, char **argv);
int verb_replay(int argc, char **argv);
int verb_diff(int argc, char **argv);
int verb_fork(int argc, char **argv);
int verb_tree(int argc, char **argv);
int verb_blame(int argc, char **argv);
int verb_stats(int argc, char **argv);
int verb_growth(int argc, char **argv);
int verb_ctx(int argc, char **argv);

#endif
