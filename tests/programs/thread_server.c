/* A thread-per-connection echo server, for step's tests: the main thread
 * accepts, a thread a connection echoes; serves one client, or with
 * `forever` every client, the main thread back in accept() meanwhile (as a
 * server students write does).
 *
 * Usage: thread_server [forever]   (port 65432) */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static void *serve(void *argument)
{
	int conn = (int)(intptr_t)argument;
	char buffer[1024];
	ssize_t n;
	while ((n = recv(conn, buffer, sizeof buffer, 0)) > 0)
		send(conn, buffer, (size_t)n, 0);
	close(conn);
	return NULL;
}

int main(int argc, char **argv)
{
	bool forever = argc > 1 && strcmp(argv[1], "forever") == 0;
	int ls = socket(AF_INET, SOCK_STREAM, 0);
	int on = 1;
	setsockopt(ls, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on);
	struct sockaddr_in address = { .sin_family = AF_INET, .sin_port = htons(65432),
				       .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	if (bind(ls, (struct sockaddr *)&address, sizeof address) < 0 || listen(ls, 5) < 0)
		return 1;
	do {
		int conn = accept(ls, NULL, NULL);
		if (conn < 0)
			return 1;
		pthread_t thread;
		if (pthread_create(&thread, NULL, serve, (void *)(intptr_t)conn) != 0)
			return 1;
		if (forever)
			pthread_detach(thread);
		else
			pthread_join(thread, NULL);
	} while (forever);
	close(ls);
	return 0;
}
