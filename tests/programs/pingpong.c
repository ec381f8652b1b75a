/* One-byte round trips over TCP on 127.0.0.1, for the step benchmark.
 *
 * Usage: pingpong server PORT COUNT | pingpong client PORT COUNT
 * The client sends a byte and waits for it back, COUNT times; the server
 * echoes. The client prints the loop's time in ns per round trip. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
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
	if (argc != 4) {
		fprintf(stderr, "usage: pingpong server|client PORT COUNT\n");
		return 2;
	}
	long count = atol(argv[3]);
	struct sockaddr_in address = { .sin_family = AF_INET,
				       .sin_port = htons((uint16_t)atoi(argv[2])) };
	address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	int one = 1;
	char byte = 'x';
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	if (fd < 0)
		return 1;
	if (strcmp(argv[1], "server") == 0) {
		setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
		if (bind(fd, (struct sockaddr *)&address, sizeof address) < 0 || listen(fd, 1) < 0)
			return 1;
		int conn = accept(fd, NULL, NULL);
		if (conn < 0)
			return 1;
		setsockopt(conn, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
		while (read(conn, &byte, 1) == 1)
			if (write(conn, &byte, 1) != 1)
				return 1;
		close(conn);
		close(fd);
		return 0;
	}
	/* The server may not listen yet: try for a second. */
	for (int tries = 0; connect(fd, (struct sockaddr *)&address, sizeof address) < 0; tries++) {
		if (tries == 100)
			return 1;
		close(fd);
		fd = socket(AF_INET, SOCK_STREAM, 0);
		usleep(10000);
	}
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
	double start = now_seconds();
	for (long i = 0; i < count; i++)
		if (write(fd, &byte, 1) != 1 || read(fd, &byte, 1) != 1)
			return 1;
	double seconds = now_seconds() - start;
	printf("pingpong %ld round trips: %.1f ns per round trip\n", count,
	       seconds * 1e9 / (double)count);
	close(fd);
	return 0;
}
