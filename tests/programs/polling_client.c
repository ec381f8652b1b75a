/* A client that polls for a reply, for step's tests.
 *
 *   polling_client         sends "poll", then polls without waiting
 *                          (timeout 0), as an event loop with nothing else
 *                          to do would: a program that never blocks must
 *                          not keep the other from running; gives up after
 *                          5,000 polls
 *   polling_client MS      sends nothing and polls once for up to MS ms:
 *                          both programs block (the echo server in recv),
 *                          and the poll's timeout is what wakes one
 *
 * Port 65432. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	int timeout_ms = argc > 1 ? atoi(argv[1]) : 0;
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in address = { .sin_family = AF_INET, .sin_port = htons(65432),
				       .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	if (connect(fd, (struct sockaddr *)&address, sizeof address) < 0)
		return 1;
	struct pollfd ready = { .fd = fd, .events = POLLIN };
	if (timeout_ms > 0) {
		if (poll(&ready, 1, timeout_ms) == 0)
			printf("no reply in %d ms\n", timeout_ms);
		close(fd);
		return 0;
	}
	send(fd, "poll", 4, 0);
	int polls = 0;
	while (poll(&ready, 1, 0) == 0)
		if (++polls == 5000) {
			printf("gave up after %d polls\n", polls);
			return 3;
		}
	char buffer[64];
	ssize_t n = recv(fd, buffer, sizeof buffer, 0);
	printf("Received %.*s after %d polls\n", (int)(n > 0 ? n : 0), buffer, polls);
	close(fd);
	return 0;
}
