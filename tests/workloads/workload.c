// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * workload.c - programs with known syscalls, for the integration tests and `make bench`.
 *
 * Each mode issues an exact, known set of syscalls and reports what it did on stdout, so the
 * tests compare the tracer's count against the workload's own. Modes that are benchmarks time
 * their own loop with CLOCK_MONOTONIC and print `elapsed_ns`.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <pthread.h>
#include <sched.h>
#include <time.h>
#include <unistd.h>

static unsigned long long now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

static void report(const char *what, long n, unsigned long long t0)
{
	printf("%s %ld elapsed_ns %llu\n", what, n, now_ns() - t0);
	fflush(stdout);
}

static void getppid_loop(long n)
{
	for (long i = 0; i < n; i++)
		syscall(SYS_getppid);
}

/* N reads and N writes of 4 KiB: /dev/zero -> /dev/null. */
static int rw_loop(long n)
{
	static char buf[4096];
	int in = open("/dev/zero", O_RDONLY), out = open("/dev/null", O_WRONLY);

	if (in < 0 || out < 0)
		return 1;
	for (long i = 0; i < n; i++) {
		if (read(in, buf, sizeof(buf)) != sizeof(buf) ||
		    write(out, buf, sizeof(buf)) != sizeof(buf))
			return 1;
	}
	close(in);
	close(out);
	return 0;
}

/* What a tool-running agent does: read a file, then fork/exec a short tool. */
static int mix_loop(long n)
{
	char buf[512];

	for (long i = 0; i < n; i++) {
		int fd = open("/etc/hostname", O_RDONLY);
		pid_t pid;

		if (fd >= 0) {
			if (read(fd, buf, sizeof(buf)) < 0)
				return 1;
			close(fd);
		}
		pid = fork();
		if (pid == 0) {
			execl("/bin/true", "true", (char *)NULL);
			_exit(127);
		}
		if (pid < 0 || waitpid(pid, NULL, 0) != pid)
			return 1;
	}
	return 0;
}

/* Child issues k getppid and exits 7; then the parent execs /bin/true. */
static int fork_exec(long k)
{
	pid_t pid = fork();
	int st;

	if (pid == 0) {
		getppid_loop(k);
		_exit(7);
	}
	if (pid < 0 || waitpid(pid, &st, 0) != pid)
		return 1;
	printf("child %d status %d\n", pid, WEXITSTATUS(st));
	fflush(stdout);
	execl("/bin/true", "true", "from-workload", (char *)NULL);
	return 127;
}

/* A fixed sequence of file, descriptor and process syscalls with successes and failures. */
static int sequence(void)
{
	char buf[64];
	struct stat st;
	int fd, p[2];

	fd = open("/etc/hostname", O_RDONLY);
	if (fd >= 0) {
		if (read(fd, buf, sizeof(buf)) < 0)
			return 1;
		lseek(fd, 0, SEEK_SET);
		close(fd);
	}
	open("/nonexistent/agtrace-seq", O_RDONLY);
	stat("/", &st);
	stat("/nonexistent", &st);
	access("/etc/passwd", R_OK);
	if (pipe(p) == 0) {
		if (write(p[1], "ping", 4) != 4 || read(p[0], buf, 4) != 4)
			return 1;
		close(p[0]);
		close(p[1]);
	}
	close(12345);
	getpid();
	syscall(SYS_getppid);
	mkdir("/tmp", 0755);
	unlink("/nonexistent/file");
	return 0;
}

/* Connects to a listener of its own on 127.0.0.1 and prints the port. */
/*
 * A loopback TCP connection that carries `msg`: "hello", or (tlshello) the first bytes of a TLS
 * ClientHello written by no TLS library at all, what the coverage report must notice.
 */
static int net(const char *msg, size_t n)
{
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	socklen_t len = sizeof(a);
	int l = socket(AF_INET, SOCK_STREAM, 0), c, s;

	if (l < 0 || bind(l, (void *)&a, sizeof(a)) || listen(l, 1) ||
	    getsockname(l, (void *)&a, &len))
		return 1;
	c = socket(AF_INET, SOCK_STREAM, 0);
	if (c < 0 || connect(c, (void *)&a, sizeof(a)))
		return 1;
	s = accept(l, NULL, NULL);
	if (s < 0 || write(c, msg, n) != (ssize_t)n)
		return 1;
	printf("port %d\n", ntohs(a.sin_port));
	close(s);
	close(c);
	close(l);
	return 0;
}

/* Threads that hop between CPUs while issuing getppid: record order per thread. */
static void *thread_loop(void *arg)
{
	long n = (long)arg;

	long ncpu = sysconf(_SC_NPROCESSORS_ONLN);

	for (long i = 0; i < n; i++) {
		syscall(SYS_getppid);
		if (i % 16 == 0 && ncpu > 1) {
			/* force a move to another CPU: batches must not let records overtake */
			cpu_set_t set;

			CPU_ZERO(&set);
			CPU_SET((i / 16) % ncpu, &set);
			sched_setaffinity(0, sizeof(set), &set);
		}
	}
	return NULL;
}

static int threads(long nthreads, long n)
{
	pthread_t t[16];

	if (nthreads > 16)
		nthreads = 16;
	for (long i = 0; i < nthreads; i++)
		if (pthread_create(&t[i], NULL, thread_loop, (void *)n))
			return 1;
	for (long i = 0; i < nthreads; i++)
		pthread_join(t[i], NULL);
	printf("threads %ld getppid %ld\n", nthreads, n);
	return 0;
}

/* n i386 getpid (20) calls through int 0x80: the compat ABI, where 20 is not writev. */
static int int80(long n)
{
#if defined(__x86_64__)
	for (long i = 0; i < n; i++) {
		long r;

		__asm__ volatile("int $0x80" : "=a"(r) : "a"(20L) : "memory");
	}
	printf("int80 %ld\n", n);
	return 0;
#else
	(void)n;
	return 2;
#endif
}

/*
 * Lots of output first (so a slow reader of the trace holds the tracer in write), then the
 * parent forks and exits at once; its child outlives it, then writes a line.
 */
static int orphan(void)
{
	pid_t pid;

	getppid_loop(3000);
	usleep(300000);
	pid = fork();

	if (pid == 0) {
		usleep(500000);
		printf("orphan child %d done\n", getpid());
		return 0;
	}
	return pid < 0;
}

/* Waits until `path` exists (for -p attach), then issues n getppid. */
static int wait_then(const char *path, long n)
{
	struct stat st;

	printf("ready %d\n", getpid());
	fflush(stdout);
	while (stat(path, &st))
		usleep(10000);
	getppid_loop(n);
	report("getppid", n, now_ns());
	return 0;
}

/* One getpid, then how long until the trace file shows it (live latency contract). */
static int latency(const char *trace)
{
	unsigned long long t0;
	char buf[65536];

	t0 = now_ns();
	syscall(SYS_getpid);
	while (now_ns() - t0 < 5000000000ull) {
		int fd = open(trace, O_RDONLY);
		ssize_t n = fd >= 0 ? read(fd, buf, sizeof(buf) - 1) : -1;

		if (fd >= 0)
			close(fd);
		if (n > 0) {
			buf[n] = '\0';
			if (strstr(buf, "getpid()")) {
				printf("latency_ms %.1f\n", (now_ns() - t0) / 1e6);
				return 0;
			}
		}
		usleep(1000);
	}
	printf("latency_ms timeout\n");
	return 1;
}

static volatile sig_atomic_t caught;

static void on_usr1(int sig)
{
	(void)sig;
	caught++;
}

/* n signals to itself: n kill and n rt_sigreturn (whose exit has orig_ax = -1). */
static int signals(long n)
{
	struct sigaction sa = {.sa_handler = on_usr1};

	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGUSR1, &sa, NULL))
		return 1;
	for (long i = 0; i < n; i++)
		kill(getpid(), SIGUSR1);
	printf("signals %ld caught %d\n", n, (int)caught);
	return caught != n;
}

int main(int argc, char **argv)
{
	const char *mode = argc > 1 ? argv[1] : "";
	long n = argc > 2 ? atol(argv[2]) : 0;
	unsigned long long t0 = now_ns();
	int ret = 0;

	if (!strcmp(mode, "getppid")) {
		getppid_loop(n);
		report("getppid", n, t0);
	} else if (!strcmp(mode, "rw")) {
		ret = rw_loop(n);
		report("rw", n, t0);
	} else if (!strcmp(mode, "mix")) {
		ret = mix_loop(n);
		report("mix", n, t0);
	} else if (!strcmp(mode, "forkexec")) {
		ret = fork_exec(n);
	} else if (!strcmp(mode, "seq")) {
		ret = sequence();
	} else if (!strcmp(mode, "net")) {
		ret = net("hello", 5);
	} else if (!strcmp(mode, "tlshello")) {
		static const char hello[] = "\x16\x03\x01\x00\x04\x01\x00\x00\x00";

		ret = net(hello, sizeof(hello) - 1);
		sleep(1); /* alive while the tracer reads its mappings */
	} else if (!strcmp(mode, "wait") && argc > 3) {
		ret = wait_then(argv[2], atol(argv[3]));
	} else if (!strcmp(mode, "latency") && argc > 2) {
		ret = latency(argv[2]);
	} else if (!strcmp(mode, "threads") && argc > 3) {
		ret = threads(n, atol(argv[3]));
	} else if (!strcmp(mode, "orphan")) {
		ret = orphan();
	} else if (!strcmp(mode, "int80")) {
		ret = int80(n);
	} else if (!strcmp(mode, "signals")) {
		ret = signals(n);
	} else if (!strcmp(mode, "sleep")) {
		sleep((unsigned)n);
	} else {
		fprintf(stderr,
			"usage: workload getppid|rw|mix|forkexec|seq|net|tlshello|wait|latency ...\n");
		return 2;
	}
	return ret;
}
