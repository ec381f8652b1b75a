/* Two threads make threads without end while the main thread exits after
 * a moment: exit() kills them mid-clone, so the tracer loses some clone
 * events and must still find every thread the kernel attached, or the
 * process's end (held back until each is reaped) never comes.
 *
 * Usage: thread_storm MICROSECONDS (how long the main thread waits) */
#include <pthread.h>
#include <stdlib.h>
#include <unistd.h>

static void *nothing(void *unused)
{
	(void)unused;
	return NULL;
}

static void *make_threads(void *unused)
{
	(void)unused;
	pthread_attr_t detached;
	pthread_attr_init(&detached);
	pthread_attr_setdetachstate(&detached, PTHREAD_CREATE_DETACHED);
	for (;;) {
		pthread_t thread;
		pthread_create(&thread, &detached, nothing, NULL);
	}
	return NULL;
}

int main(int argc, char **argv)
{
	long wait_us = argc > 1 ? atol(argv[1]) : 1000;
	pthread_t thread;
	pthread_create(&thread, NULL, make_threads, NULL);
	pthread_create(&thread, NULL, make_threads, NULL);
	usleep((useconds_t)wait_us);
	exit(0);
}
