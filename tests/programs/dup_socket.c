/* Copies a socket fd with dup2 and fcntl(F_DUPFD), then writes through
 * each copy: the tracer must show those writes as it shows the original's. */
#include <fcntl.h>
#include <sys/socket.h>
#include <unistd.h>

int main(void)
{
	int pair[2];
	char buffer[8];
	if (socketpair(AF_UNIX, SOCK_STREAM, 0, pair) < 0 || dup2(pair[0], 9) != 9)
		return 1;
	int copy = fcntl(pair[0], F_DUPFD, 20);
	if (copy < 20 || write(9, "a", 1) != 1 || write(copy, "b", 1) != 1
	    || read(pair[1], buffer, 2) < 1)
		return 1;
	close(9);
	close(copy);
	return 0;
}
