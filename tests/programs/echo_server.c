/* The tutorial's echo server in C, for the tracer's tests: one connection,
 * echo until the peer closes.
 *
 * Usage: echo_server [port]   (default 65432; 0: any free port)
 * Prints "port N" once listening, so a test that asked for port 0 knows
 * where to connect. accept4, as Python's accept() uses, so the C and the
 * Python server make the same calls. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	int port = argc > 1 ? atoi(argv[1]) : 65432;
	int listener = socket(AF_INET, SOCK_STREAM, 0);
	if (listener < 0) {
		perror("socket");
		return 1;
	}
	int one = 1;
	setsockopt(listener, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
	struct sockaddr_in address = {
		.sin_family = AF_INET,
		.sin_port = htons((uint16_t)port),
		.sin_addr.s_addr = htonl(INADDR_LOOPBACK),
	};
	if (bind(listener, (struct sockaddr *)&address, sizeof address) < 0
	    || listen(listener, 5) < 0) {
		perror("bind/listen");
		return 1;
	}
	socklen_t len = sizeof address;
	getsockname(listener, (struct sockaddr *)&address, &len);
	printf("port %d\n", ntohs(address.sin_port));
	fflush(stdout);
	struct sockaddr_in peer;
	len = sizeof peer;
	int conn = accept4(listener, (struct sockaddr *)&peer, &len, 0);
	if (conn < 0) {
		perror("accept4");
		return 1;
	}
	char buffer[1024];
	ssize_t n;
	while ((n = recv(conn, buffer, sizeof buffer, 0)) > 0)
		if (send(conn, buffer, (size_t)n, 0) < 0)
			break;
	close(conn);
	close(listener);
	return 0;
}
