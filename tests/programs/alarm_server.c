/* An echo server whose accept() an alarm interrupts, for step's tests: a
 * handler without SA_RESTART makes the call return -1 EINTR, and the
 * server calls accept() again (as classic servers do); with SA_RESTART
 * the kernel runs the call again and the program sees nothing.
 *
 * Usage: alarm_server restart|norestart   (port 65432; the alarm in 100 ms) */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

static void on_alarm(int signal)
{
	(void)signal;
}

int main(int argc, char **argv)
{
	struct sigaction action = { .sa_handler = on_alarm };
	if (argc > 1 && strcmp(argv[1], "restart") == 0)
		action.sa_flags = SA_RESTART;
	sigaction(SIGALRM, &action, NULL);
	int ls = socket(AF_INET, SOCK_STREAM, 0);
	int on = 1;
	setsockopt(ls, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on);
	struct sockaddr_in address = { .sin_family = AF_INET, .sin_port = htons(65432),
				       .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	if (bind(ls, (struct sockaddr *)&address, sizeof address) < 0 || listen(ls, 5) < 0)
		return 1;
	struct itimerval alarm_in = { .it_value = { .tv_usec = 100000 } };
	setitimer(ITIMER_REAL, &alarm_in, NULL);
	int conn;
	while ((conn = accept(ls, NULL, NULL)) < 0)
		if (errno == EINTR)
			printf("accept: EINTR, again\n");
		else
			return 1;
	char buffer[64];
	ssize_t n = recv(conn, buffer, sizeof buffer, 0);
	if (n > 0)
		send(conn, buffer, (size_t)n, 0);
	close(conn);
	close(ls);
	return 0;
}
