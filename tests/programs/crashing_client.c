/* A client that crashes with its socket open, for step's tests.
 *
 * Usage: crashing_client   (port 65432) */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

int main(void)
{
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in address = { .sin_family = AF_INET, .sin_port = htons(65432),
				       .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	if (connect(fd, (struct sockaddr *)&address, sizeof address) < 0)
		return 1;
	send(fd, "crash", 5, 0);
	raise(SIGSEGV);
	return 0;
}
