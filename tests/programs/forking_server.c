/* A classic forking echo server, for step's tests: accept, fork a child
 * per connection, the parent closes its copy; serves `count` clients.
 *
 * Usage: forking_server [count [port]]   (default 1, 65432) */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	int count = argc > 1 ? atoi(argv[1]) : 1;
	int port = argc > 2 ? atoi(argv[2]) : 65432;
	int ls = socket(AF_INET, SOCK_STREAM, 0);
	int on = 1;
	setsockopt(ls, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on);
	struct sockaddr_in address = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port),
				       .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	if (bind(ls, (struct sockaddr *)&address, sizeof address) < 0 || listen(ls, 5) < 0)
		return 1;
	for (int served = 0; served < count; served++) {
		int conn = accept(ls, NULL, NULL);
		if (conn < 0)
			return 1;
		pid_t child = fork();
		if (child == 0) {
			close(ls);
			char buffer[1024];
			ssize_t n;
			while ((n = recv(conn, buffer, sizeof buffer, 0)) > 0)
				send(conn, buffer, (size_t)n, 0);
			close(conn);
			_exit(0);
		}
		close(conn);
	}
	while (wait(NULL) > 0)
		;
	close(ls);
	return 0;
}
