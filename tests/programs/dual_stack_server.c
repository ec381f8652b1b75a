/* A dual-stack echo server, as Python's socket.create_server(dualstack_ipv6=True)
 * and many C servers make: one IPv6 socket on [::] with IPV6_V6ONLY off, so
 * an IPv4 client reaches it and the kernel shows the client as a v4-mapped
 * address ([::ffff:127.0.0.1]). One connection, echoed until the peer closes.
 *
 * Usage: dual_stack_server [port]   (default 65432) */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	int port = argc > 1 ? atoi(argv[1]) : 65432;
	int listener = socket(AF_INET6, SOCK_STREAM, 0);
	if (listener < 0) {
		perror("socket");
		return 1;
	}
	int one = 1, zero = 0;
	setsockopt(listener, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
	setsockopt(listener, IPPROTO_IPV6, IPV6_V6ONLY, &zero, sizeof zero);
	struct sockaddr_in6 address = {
		.sin6_family = AF_INET6,
		.sin6_port = htons((uint16_t)port),
		.sin6_addr = IN6ADDR_ANY_INIT,
	};
	if (bind(listener, (struct sockaddr *)&address, sizeof address) < 0
	    || listen(listener, 5) < 0) {
		perror("bind/listen");
		return 1;
	}
	struct sockaddr_in6 peer;
	socklen_t len = sizeof peer;
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
