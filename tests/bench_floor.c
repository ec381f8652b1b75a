/* bench_floor [ROUND_TRIPS [ROUNDS [PORT [PINGPONG]]]]   (10000, 3, random, beside it)
 * The floor under any `step` design that stops a program at every socket call and
 * reads the kernel's TCP state of both ends after each. Times whole runs of
 * tracer_pingpong's server and client (N one-byte loopback round trips, 4 socket
 * calls each; the client started once the server listens), median of ROUNDS. Run it
 * also under `taskset -c CPU`: step pins a lab to one CPU (cli_pin_to_current_cpu),
 * and where cross-CPU wake-ups are dear (a VM) that changes every figure. Modes:
 *   native       untraced;
 *   stops        this process alone traces both, stopping at each socket call's
 *                entry and exit as socklab does, the cheapest way: seccomp's
 *                SECCOMP_RET_TRACE for the pingpong's calls, then per call
 *                PTRACE_GET_SYSCALL_INFO + PTRACE_SYSCALL, the same + PTRACE_CONT;
 *   stops+reads  and at each read/write's exit on the connection, one exact
 *                sock_diag request per end, both answers read and parsed;
 *   strace       `strace -f -qq -o /dev/null` on each program, as bench_step.sh.
 * A lower bound: per call it does only what such a design cannot skip (two stops,
 * the call and its result, one reading of each end, both requests in one send). */
#include <err.h>
#include <fcntl.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/inet_diag.h>
#include <linux/netlink.h>
#include <linux/seccomp.h>
#include <linux/sock_diag.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

enum mode { NATIVE, STOPS, READS, STRACE, MODES };
static const char *const mode_names[MODES] = { "native", "stops", "stops+reads", "strace" };

/* The calls tracer_pingpong makes on its sockets; every other call runs free. */
static const int stopped_calls[] = { SYS_read, SYS_write, SYS_sendto, SYS_recvfrom, SYS_socket,
				     SYS_connect, SYS_accept, SYS_accept4, SYS_bind, SYS_listen,
				     SYS_setsockopt, SYS_close, SYS_shutdown };
#define STOPPED_COUNT (sizeof stopped_calls / sizeof *stopped_calls)
#define TRACE_OPTIONS (PTRACE_O_TRACESECCOMP | PTRACE_O_EXITKILL | PTRACE_O_TRACESYSGOOD)
#define STATEMENT(code, k) ((struct sock_filter)BPF_STMT(code, k))
#define JUMP_IF_EQUAL(k, yes, no) \
	((struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, k, yes, no))

struct tracee {                 /* a traced program, and the call between its stops */
	pid_t pid;
	long nr, fd, conn_fd;   /* fd: the first argument; conn_fd: -1 till connect/accept */
};

struct run {
	char *pingpong, *port, *count;  /* the pingpong's path and arguments */
	uint16_t port_number;
	int netlink;                    /* NETLINK_SOCK_DIAG */
	enum mode mode;
	struct tracee tracees[2];       /* server, client (pid 0 until the server listens) */
	int live, failures;
	uint16_t client_port;           /* the client's ephemeral port, once known */
	long readings;                  /* answers that held a socket; their state and */
	unsigned long fields;           /* queues summed, so that they are read */
};

struct diag_request { struct nlmsghdr header; struct inet_diag_req_v2 body; };

static int install_filter(void)
{
	struct sock_filter code[5 + 2 * STOPPED_COUNT];
	size_t at = 0;
	code[at++] = STATEMENT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch));
	code[at++] = JUMP_IF_EQUAL(AUDIT_ARCH_X86_64, 1, 0);
	code[at++] = STATEMENT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW);
	code[at++] = STATEMENT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr));
	for (size_t i = 0; i < STOPPED_COUNT; i++) {
		code[at++] = JUMP_IF_EQUAL((uint32_t)stopped_calls[i], 0, 1);
		code[at++] = STATEMENT(BPF_RET | BPF_K, SECCOMP_RET_TRACE);
	}
	code[at++] = STATEMENT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW);
	struct sock_fprog program = { .len = (unsigned short)at, .filter = code };
	/* SPEC_ALLOW, as socklab: no speculative-store mitigation slowing the program. */
	return (int)syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, SECCOMP_FILTER_FLAG_SPEC_ALLOW,
			    &program);
}

/* The pingpong as `role`, output to /dev/null. Traced: seized before it sets
 * the filter, as a SECCOMP_RET_TRACE with no tracer fails the call. */
static pid_t spawn(const struct run *run, char *role)
{
	char *argv[] = { "strace", "-f", "-qq", "-o", "/dev/null", run->pingpong, role,
			 run->port, run->count, NULL };
	char **program = run->mode == STRACE ? argv : argv + 5, byte;
	bool traced = run->mode == STOPS || run->mode == READS;
	int go[2];
	pid_t pid = pipe2(go, O_CLOEXEC) < 0 ? -1 : fork();
	if (pid == 0) {
		int null_fd = open("/dev/null", O_WRONLY);
		if (null_fd < 0 || dup2(null_fd, 1) < 0 || (traced && (read(go[0], &byte, 1) != 1
		    || prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0 || install_filter() < 0)))
			_exit(126);
		execvp(program[0], program);
		_exit(127);
	}
	if (pid < 0 || (traced && ptrace(PTRACE_SEIZE, pid, 0, TRACE_OPTIONS) < 0)
	    || (traced && write(go[1], "", 1) != 1))
		err(1, "starting %s", role);
	close(go[0]);
	close(go[1]);
	return pid;
}

static struct diag_request diag_request(uint32_t states, uint16_t flags, uint16_t local_port,
					uint16_t peer_port)
{
	struct inet_diag_sockid id = {
		.idiag_sport = htons(local_port), .idiag_dport = htons(peer_port),
		.idiag_src = { htonl(INADDR_LOOPBACK) }, .idiag_dst = { htonl(INADDR_LOOPBACK) },
		.idiag_cookie = { INET_DIAG_NOCOOKIE, INET_DIAG_NOCOOKIE } };
	return (struct diag_request){
		.header = { .nlmsg_len = sizeof(struct diag_request),
			    .nlmsg_type = SOCK_DIAG_BY_FAMILY, .nlmsg_flags = flags },
		.body = { .sdiag_family = AF_INET, .sdiag_protocol = IPPROTO_TCP,
			  .idiag_states = states, .id = id } };
}

/* Dumps the TCP sockets in `states`: the local port of the first whose ports
 * match (0: any), or 0 when none does. */
static uint16_t dump_port(int netlink, uint32_t states, uint16_t local_port, uint16_t peer_port)
{
	struct diag_request request = diag_request(states, NLM_F_REQUEST | NLM_F_DUMP, 0, 0);
	uint16_t found = 0;
	if (send(netlink, &request, sizeof request, 0) < 0)
		err(1, "sock_diag dump");
	for (;;) {
		long buffer[8192 / sizeof(long)];
		ssize_t left = recv(netlink, buffer, sizeof buffer, 0);
		struct nlmsghdr *h = (void *)buffer;
		for (; left > 0 && NLMSG_OK(h, left); h = NLMSG_NEXT(h, left)) {
			const struct inet_diag_msg *socket = NLMSG_DATA(h);
			if (h->nlmsg_type != SOCK_DIAG_BY_FAMILY)
				return found;   /* NLMSG_DONE, or an error */
			if (!found && (!local_port || ntohs(socket->id.idiag_sport) == local_port)
			    && (!peer_port || ntohs(socket->id.idiag_dport) == peer_port))
				found = ntohs(socket->id.idiag_sport);
		}
		if (left < 0)
			err(1, "sock_diag dump");
	}
}

/* The work under test: one exact request per end, both answers parsed. */
static void read_both_ends(struct run *run)
{
	uint16_t server = run->port_number, client = run->client_port;
	struct diag_request requests[2] = { diag_request(~0u, NLM_F_REQUEST, server, client),
					    diag_request(~0u, NLM_F_REQUEST, client, server) };
	if (send(run->netlink, requests, sizeof requests, 0) < 0)
		err(1, "sock_diag request");
	for (int end = 0; end < 2; end++) {
		long buffer[4096 / sizeof(long)];
		ssize_t got = recv(run->netlink, buffer, sizeof buffer, 0);
		const struct nlmsghdr *h = (const void *)buffer;
		const struct inet_diag_msg *socket = NLMSG_DATA(h);
		if (got < (ssize_t)NLMSG_LENGTH(sizeof *socket) || h->nlmsg_type == NLMSG_ERROR)
			continue;       /* the end is gone */
		run->readings++;
		run->fields += socket->idiag_state + socket->idiag_rqueue + socket->idiag_wqueue;
	}
}

static void on_exit_stop(struct run *run, struct tracee *tracee, long result)
{
	long nr = tracee->nr;
	if (nr == SYS_listen && result == 0 && !run->tracees[1].pid) {
		run->tracees[1].pid = spawn(run, "client");
		run->live++;
	} else if (result >= 0 && (nr == SYS_accept || nr == SYS_accept4 || nr == SYS_connect)) {
		tracee->conn_fd = nr == SYS_connect ? tracee->fd : result;
		/* The first end to return: the client's port, from a dump. */
		if (run->mode == READS && !run->client_port)
			run->client_port = dump_port(run->netlink, 1u << TCP_ESTABLISHED, 0,
						     run->port_number);
	} else if (run->mode == READS && (nr == SYS_read || nr == SYS_write)
		   && tracee->fd == tracee->conn_fd) {
		read_both_ends(run);
	}
}

static void on_stop(struct run *run, struct tracee *tracee, int status)
{
	struct __ptrace_syscall_info info;
	int signal = WSTOPSIG(status), event = status >> 16;
	if (event == PTRACE_EVENT_SECCOMP || signal == (SIGTRAP | 0x80)) {
		if (ptrace(PTRACE_GET_SYSCALL_INFO, tracee->pid, sizeof info, &info) <= 0)
			err(1, "PTRACE_GET_SYSCALL_INFO");
		if (info.op == PTRACE_SYSCALL_INFO_SECCOMP) {
			tracee->nr = (long)info.seccomp.nr;
			tracee->fd = (long)info.seccomp.args[0];
			ptrace(PTRACE_SYSCALL, tracee->pid, 0, 0);
			return;
		}
		if (info.op == PTRACE_SYSCALL_INFO_EXIT)
			on_exit_stop(run, tracee, (long)info.exit.rval);
		signal = 0;
	}
	ptrace(PTRACE_CONT, tracee->pid, 0, event ? 0 : signal);
}

/* One whole run, in place: its seconds. Untraced, the client starts when a
 * dump shows the server listening; traced, when the tracer sees listen return. */
static double run_mode(struct run *run)
{
	bool untraced = run->mode == NATIVE || run->mode == STRACE;
	struct timespec start, end;
	clock_gettime(CLOCK_MONOTONIC, &start);
	run->tracees[0].pid = spawn(run, "server");
	for (int tries = 0; untraced && !run->tracees[1].pid; tries++) {
		if (tries == 10000 || waitpid(run->tracees[0].pid, NULL, WNOHANG) != 0)
			errx(1, "the server never listened");
		if (dump_port(run->netlink, 1u << TCP_LISTEN, run->port_number, 0))
			run->tracees[1].pid = spawn(run, "client");
		else
			usleep(100);
	}
	run->live += untraced;  /* traced, the client counts when it starts */
	while (run->live > 0) {
		int status;
		pid_t pid = waitpid(-1, &status, __WALL);
		if (pid < 0)
			err(1, "waitpid");
		struct tracee *tracee = &run->tracees[pid == run->tracees[0].pid ? 0 : 1];
		if (WIFSTOPPED(status)) {
			on_stop(run, tracee, status);
		} else {
			run->live--;
			run->failures += !WIFEXITED(status) || WEXITSTATUS(status) != 0;
		}
	}
	/* A figure of a run whose calls failed measures something else. */
	if (run->failures)
		errx(1, "%s: a program failed: no figure", mode_names[run->mode]);
	clock_gettime(CLOCK_MONOTONIC, &end);
	return (double)(end.tv_sec - start.tv_sec) + (double)(end.tv_nsec - start.tv_nsec) / 1e9;
}

static int compare_doubles(const void *a_, const void *b_)
{
	double a = *(const double *)a_, b = *(const double *)b_;
	return (a > b) - (a < b);
}

int main(int argc, char **argv)
{
#ifndef __x86_64__
	errx(2, "the filter names x86-64's calls: no figure on this architecture");
#endif
	long round_trips = argc > 1 ? atol(argv[1]) : 10000, rounds = argc > 2 ? atol(argv[2]) : 3;
	long port = argc > 3 ? atol(argv[3]) : 40000 + getpid() % 20000;
	if (round_trips < 1 || rounds < 1 || rounds > 99 || port < 1 || port > 65535)
		errx(2, "usage: bench_floor [ROUND_TRIPS [ROUNDS [PORT [PINGPONG]]]]");
	char path[4096], port_text[8], count_text[24];
	const char *slash = strrchr(argv[0], '/');      /* the pingpong is beside us */
	snprintf(path, sizeof path, "%.*stracer_pingpong",
		 slash ? (int)(slash + 1 - argv[0]) : 0, argv[0]);
	snprintf(port_text, sizeof port_text, "%ld", port);
	snprintf(count_text, sizeof count_text, "%ld", round_trips);
	int netlink = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_SOCK_DIAG);
	if (netlink < 0)
		err(1, "NETLINK_SOCK_DIAG");
	int modes = system("command -v strace >/dev/null 2>&1") == 0 ? MODES : STRACE;
	double seconds[MODES][99], median[MODES];
	for (long round = 0; round < rounds; round++) {
		printf("round %ld:", round + 1);
		for (int mode = 0; mode < modes; mode++) {
			struct run run = { .pingpong = argc > 4 ? argv[4] : path, .port = port_text,
					   .count = count_text, .port_number = (uint16_t)port,
					   .netlink = netlink, .mode = mode, .live = 1,
					   .tracees = { { .conn_fd = -1 }, { .conn_fd = -1 } } };
			seconds[mode][round] = run_mode(&run);
			printf("  %s %.3f s", mode_names[mode], seconds[mode][round]);
			if (mode == READS)
				printf(" (%ld ends read)", run.readings);
		}
		printf("\n");
	}
	printf("median of %ld rounds of %ld round trips (%ld socket calls):\n", rounds,
	       round_trips, 4 * round_trips);
	for (int mode = 0; mode < modes; mode++) {
		qsort(seconds[mode], (size_t)rounds, sizeof(double), compare_doubles);
		median[mode] = seconds[mode][rounds / 2];
		printf("%-12s %.3f s  %+6.2f us a call over native\n", mode_names[mode],
		       median[mode], (median[mode] - median[NATIVE]) * 1e6 / (4.0 * round_trips));
	}
	return 0;
}
