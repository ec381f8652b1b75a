/* A server that crashes after its first recv, for step's tests: the
 * kernel closes the dead process's socket (its FIN wakes the client's
 * recv) before the lab can reap the process.
 *
 * Usage: crashing_server   (port 65432) */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

int main(void)
{
	int ls = socket(AF_INET, SOCK_STREAM, 0);
	int on = 1;
	setsockopt(ls, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on);
	struct sockaddr_in address = { .sin_family = AF_INET, .sin_port = htons(65432),
				       .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	if (bind(ls, (struct sockaddr *)&address, sizeof address) < 0 || listen(ls, 5) < 0)
		return 1;
	int conn = accept(ls, NULL, NULL);
	char buffer[64];
	recv(conn, buffer, sizeof buffer, 0);
	raise(SIGSEGV);
	return 0;
}
