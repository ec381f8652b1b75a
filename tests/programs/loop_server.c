/* An event-loop echo server with a self-pipe made by socketpair(), for
 * step's tests: poll() on the listener, the connection and the pipe;
 * serves one client, then wakes itself through the pipe to stop.
 *
 * Usage: loop_server   (port 65432) */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

int main(void)
{
	int pipe_ends[2];
	if (socketpair(AF_UNIX, SOCK_STREAM, 0, pipe_ends) < 0)
		return 1;
	int ls = socket(AF_INET, SOCK_STREAM, 0);
	int on = 1;
	setsockopt(ls, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on);
	struct sockaddr_in address = { .sin_family = AF_INET, .sin_port = htons(65432),
				       .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	if (bind(ls, (struct sockaddr *)&address, sizeof address) < 0 || listen(ls, 5) < 0)
		return 1;
	struct pollfd fds[3] = { { .fd = ls, .events = POLLIN },
				 { .fd = -1 },
				 { .fd = pipe_ends[0], .events = POLLIN } };
	for (;;) {
		if (poll(fds, 3, -1) < 0)
			return 1;
		if (fds[2].revents)
			break;   /* the self-pipe: time to stop */
		if (fds[0].revents) {
			fds[1] = (struct pollfd){ .fd = accept(ls, NULL, NULL), .events = POLLIN };
			fds[0].fd = -1;
		}
		if (fds[1].fd >= 0 && fds[1].revents) {
			char buffer[1024];
			ssize_t n = recv(fds[1].fd, buffer, sizeof buffer, 0);
			if (n > 0) {
				send(fds[1].fd, buffer, (size_t)n, 0);
			} else {
				close(fds[1].fd);
				fds[1].fd = -1;
				send(pipe_ends[1], "x", 1, 0);
			}
		}
	}
	close(pipe_ends[0]);
	close(pipe_ends[1]);
	close(ls);
	return 0;
}
