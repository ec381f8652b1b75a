/* signals — stop signals through a self-pipe, crashes through endwin(). */
#include "signals.h"

#include <curses.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

#include "text.h"

static const int stop_signals[] = { SIGINT, SIGTERM, SIGHUP };
static const int crash_signals[] = { SIGSEGV, SIGBUS, SIGFPE, SIGABRT, SIGILL };

enum { STOP_COUNT = sizeof stop_signals / sizeof stop_signals[0] };
enum { CRASH_COUNT = sizeof crash_signals / sizeof crash_signals[0] };

/* A handler sees only these (see signals.h). */
static struct {
	int pipe[2];
	pid_t pid;                           /* the controller: puppets are not */
	volatile sig_atomic_t curses_active;
	volatile sig_atomic_t received;
	bool installed;
	struct sigaction previous_stop[STOP_COUNT];
	struct sigaction previous_crash[CRASH_COUNT];
} state = { .pipe = { -1, -1 } };

static void die_by(int signal_number)
{
	signal(signal_number, SIG_DFL);
	raise(signal_number);
}

static void on_stop(int signal_number)
{
	if (getpid() != state.pid) {
		die_by(signal_number);
		return;
	}
	int saved = errno;
	state.received = signal_number;
	unsigned char byte = (unsigned char)signal_number;
	if (write(state.pipe[1], &byte, 1) < 0) {
		/* A full pipe already says it. */
	}
	errno = saved;
}

static void on_crash(int signal_number)
{
	/* Not async-signal-safe, and the process is broken anyway: giving the
	 * student their terminal back is worth the risk (tig and htop do too). */
	if (getpid() == state.pid && state.curses_active)
		endwin();
	die_by(signal_number);
}

int signals_install(char **err)
{
	if (state.installed)
		return 0;
	if (pipe2(state.pipe, O_CLOEXEC | O_NONBLOCK) < 0)
		return text_error(err, "pipe: %s", strerror(errno));
	state.pid = getpid();
	state.received = 0;
	struct sigaction action = { .sa_handler = on_stop };
	sigemptyset(&action.sa_mask);
	/* No SA_RESTART: a blocked read returns, the loop looks at the pipe. */
	for (int i = 0; i < STOP_COUNT; i++)
		sigaction(stop_signals[i], &action, &state.previous_stop[i]);
	struct sigaction crash = { .sa_handler = on_crash, .sa_flags = SA_RESETHAND };
	sigemptyset(&crash.sa_mask);
	for (int i = 0; i < CRASH_COUNT; i++)
		sigaction(crash_signals[i], &crash, &state.previous_crash[i]);
	state.installed = true;
	return 0;
}

int signals_fd(void)
{
	return state.pipe[0];
}

int signals_pending(void)
{
	unsigned char buffer[16];
	while (state.pipe[0] >= 0 && read(state.pipe[0], buffer, sizeof buffer) > 0)
		continue;
	return state.received;
}

const volatile sig_atomic_t *signals_flag(void)
{
	return &state.received;
}

void signals_set_curses(bool active)
{
	state.curses_active = active;
}

void signals_restore(void)
{
	if (!state.installed)
		return;
	for (int i = 0; i < STOP_COUNT; i++)
		sigaction(stop_signals[i], &state.previous_stop[i], NULL);
	for (int i = 0; i < CRASH_COUNT; i++)
		sigaction(crash_signals[i], &state.previous_crash[i], NULL);
	close(state.pipe[0]);
	close(state.pipe[1]);
	state.pipe[0] = state.pipe[1] = -1;
	state.installed = false;
}
