/* Prints as student programs do, through stdio: a line, then a socket
 * call; a prompt with no newline, then a socket call; a 10 KB line. */
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

int main(void)
{
	printf("hello from printer\n");          /* a terminal flushes it here; a pipe at exit */
	int fd = socket(AF_INET, SOCK_DGRAM, 0);
	printf("name? ");
	fflush(stdout);
	close(fd);
	static char line[10241];
	memset(line, 'x', sizeof line - 1);
	puts(line);
	return 0;
}
