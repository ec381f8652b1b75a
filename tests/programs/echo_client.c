/* The tutorial's echo client in C, for the tracer's tests: connect, send
 * "Hello, world", print what comes back.
 *
 * Usage: echo_client [port]   (default 65432) */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	int port = argc > 1 ? atoi(argv[1]) : 65432;
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in address = {
		.sin_family = AF_INET,
		.sin_port = htons((uint16_t)port),
		.sin_addr.s_addr = htonl(INADDR_LOOPBACK),
	};
	if (fd < 0 || connect(fd, (struct sockaddr *)&address, sizeof address) < 0) {
		perror("connect");
		return 1;
	}
	static const char hello[] = "Hello, world";
	if (send(fd, hello, sizeof hello - 1, 0) < 0) {
		perror("send");
		return 1;
	}
	char buffer[1024];
	ssize_t n = recv(fd, buffer, sizeof buffer, 0);
	if (n < 0) {
		perror("recv");
		return 1;
	}
	printf("Received %.*s\n", (int)n, buffer);
	fflush(stdout);
	close(fd);
	return 0;
}
