/* Makes one kind of system call many times, for the tracer's figures.
 *
 * Usage: syscall_loop getpid|getsockname|devnull-write COUNT [allow-filter]
 *   getpid         a call the seccomp filter lets run untouched
 *   getsockname    a socket call: every one stops the program twice
 *   devnull-write  write(2) to /dev/null: not a socket, so never stopped
 *                  (read, write and close are traced per socket fd)
 *   allow-filter   first installs a seccomp filter that allows every call:
 *                  the kernel's own cost of a filtered program, the floor
 *                  under any tracer that stops calls with seccomp
 * Prints the time the loop took, in ns per call, on stdout. */
#include <fcntl.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

static double now_seconds(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* A filter of one instruction, allowing everything, installed as the
 * lab installs its own (no speculation mitigation asked for). */
static int allow_everything(void)
{
	struct sock_filter allow = BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW);
	struct sock_fprog program = { .len = 1, .filter = &allow };
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		return -1;
	return (int)syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, SECCOMP_FILTER_FLAG_SPEC_ALLOW,
			    &program);
}

int main(int argc, char **argv)
{
	if (argc != 3 && !(argc == 4 && strcmp(argv[3], "allow-filter") == 0)) {
		fprintf(stderr,
			"usage: syscall_loop getpid|getsockname|devnull-write COUNT "
			"[allow-filter]\n");
		return 2;
	}
	if (argc == 4 && allow_everything() < 0) {
		perror("syscall_loop: seccomp");
		return 1;
	}
	long count = atol(argv[2]);
	int fd = -1;
	if (strcmp(argv[1], "getsockname") == 0)
		fd = socket(AF_INET, SOCK_DGRAM, 0);
	else if (strcmp(argv[1], "devnull-write") == 0)
		fd = open("/dev/null", O_WRONLY);
	double start = now_seconds();
	for (long i = 0; i < count; i++) {
		if (fd < 0) {
			syscall(SYS_getpid);  /* not getpid(): never answered from a cache */
		} else if (argv[1][0] == 'g') {
			struct sockaddr_in address;
			socklen_t len = sizeof address;
			getsockname(fd, (struct sockaddr *)&address, &len);
		} else if (write(fd, "x", 1) != 1) {
			return 1;
		}
	}
	double seconds = now_seconds() - start;
	printf("%s %ld calls: %.1f ns per call\n", argv[1], count, seconds * 1e9 / (double)count);
	return 0;
}
