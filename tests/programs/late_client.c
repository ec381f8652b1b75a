/* A client that sleeps before it connects, for step's tests: a sleep is
 * not a block.
 *
 * Usage: late_client [ms]   (default 50; port 65432) */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	long ms = argc > 1 ? atol(argv[1]) : 50;
	struct timespec pause = { .tv_sec = ms / 1000, .tv_nsec = ms % 1000 * 1000 * 1000 };
	nanosleep(&pause, NULL);
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in address = { .sin_family = AF_INET, .sin_port = htons(65432),
				       .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	if (connect(fd, (struct sockaddr *)&address, sizeof address) < 0)
		return 1;
	send(fd, "late", 4, 0);
	char buffer[64];
	ssize_t n = recv(fd, buffer, sizeof buffer, 0);
	printf("Received %.*s\n", (int)(n > 0 ? n : 0), buffer);
	close(fd);
	return 0;
}
