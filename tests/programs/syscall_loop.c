/* Makes one kind of system call many times, for the tracer's figures.
 *
 * Usage: syscall_loop getpid|getsockname|devnull-write COUNT
 *   getpid         a call the seccomp filter lets run untouched
 *   getsockname    a socket call: every one stops the program twice
 *   devnull-write  write(2) to /dev/null: not a socket, so never stopped
 *                  (read, write and close are traced per socket fd)
 * Prints the time the loop took, in ns per call, on stdout. */
#include <fcntl.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
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

int main(int argc, char **argv)
{
	if (argc != 3) {
		fprintf(stderr, "usage: syscall_loop getpid|getsockname|devnull-write COUNT\n");
		return 2;
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
