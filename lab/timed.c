/* timed — since when each named socket is in its state, and its kernel timer. */
#include "timed.h"

#include <netinet/tcp.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "i18n.h"
#include "probe.h"
#include "model.h"

/* What the end of a timed state means, in the kernel's terms. */
static const struct {
	int state;
	const char *after;
} endings[] = {
	{ TCP_TIME_WAIT, N_("the kernel freed the port") },
	{ TCP_FIN_WAIT2, N_("no fd held it, so the kernel freed it (net.ipv4.tcp_fin_timeout)") },
	{ TCP_SYN_SENT,
	  N_("the kernel gave up resending the SYN (net.ipv4.tcp_syn_retries): connect() fails "
	     "with ETIMEDOUT") },
	{ TCP_SYN_RECV, N_("the kernel gave up resending the SYN-ACK and freed the request") },
	{ TCP_LAST_ACK, N_("the kernel gave up resending the FIN") },
	{ TCP_FIN_WAIT1, N_("the kernel gave up resending the FIN") },
	{ TCP_CLOSING, N_("the kernel gave up resending the FIN") },
};

int64_t timed_now_us(void)
{
	struct timespec now;
	clock_gettime(CLOCK_MONOTONIC, &now);
	return (int64_t)now.tv_sec * 1000000 + now.tv_nsec / 1000;
}

void timed_clear(struct timed_table *table)
{
	table->count = 0;
}

static struct timed_socket *find(struct timed_table *table, int side, const char *name)
{
	for (size_t i = 0; i < table->count; i++)
		if (table->sockets[i].side == side && strcmp(table->sockets[i].name, name) == 0)
			return &table->sockets[i];
	return NULL;
}

void timed_note(struct timed_table *table, const struct lab_snapshot *snapshot, size_t step,
		int64_t now_us)
{
	for (size_t i = 0; i < snapshot->count; i++) {
		const struct lab_socket *socket = snapshot->sockets[i];
		if (socket->side < 0 || !socket->name[0])
			continue;
		struct timed_socket *row = find(table, socket->side, socket->name);
		if (!row) {
			/* Only sockets seen with a kernel timer get a clock: few rows,
			 * so a crowded snapshot costs little. */
			if (!socket->timer || table->count == TIMED_SOCKETS_MAX)
				continue;
			row = &table->sockets[table->count++];
			memset(row, 0, sizeof *row);
			row->side = socket->side;
			snprintf(row->name, sizeof row->name, "%s", socket->name);
			row->state = -1;
			row->ended.state = -1;
		}
		if (row->state != socket->state) {
			/* Closed as its timer ran out: the timer ended it (a timer that
			 * ends a state ends the connection; any other change is TCP's). */
			bool closed = socket->state == 0 || socket->state == TCP_CLOSE;
			if (closed && row->timer && row->expires_us
			    && now_us + TIMED_EARLY_US >= row->expires_us) {
				row->ended.state = row->state;
				row->ended.since_step = row->since_step;
				row->ended.since_us = row->since_us;
				row->ended.expires_us = row->expires_us;
			} else {
				row->ended.state = -1;
			}
			row->state = socket->state;
			row->since_step = step;
			row->since_us = now_us;
		}
		row->timer = socket->timer;
		row->expires_us = socket->timer ? now_us + (int64_t)socket->timer_ms * 1000 : 0;
	}
}

bool timed_explain(const struct timed_table *table, const struct lab_snapshot *snapshot, int side,
		   const char *name, int64_t now_us, char *out, size_t size, char *shown,
		   size_t shown_size)
{
	const struct timed_socket *row = NULL;
	for (size_t i = 0; i < table->count && !row; i++)
		if (table->sockets[i].side == side && strcmp(table->sockets[i].name, name) == 0)
			row = &table->sockets[i];
	if (!row)
		return false;
	/* The state it was last seen in, its timer run out by now (it is gone
	 * from the kernel's tables), or the state before, ended on its timer. */
	int state = row->state;
	size_t since_step = row->since_step;
	int64_t since_us = row->since_us, expires_us = row->expires_us;
	if (!row->timer || !expires_us || now_us + TIMED_EARLY_US < expires_us) {
		if (row->ended.state < 0)
			return false;
		state = row->ended.state;
		since_step = row->ended.since_step;
		since_us = row->ended.since_us;
		expires_us = row->ended.expires_us;
	}
	/* Still in that state: the timer ran out, but the state did not end on it. */
	for (size_t i = 0; i < snapshot->count; i++)
		if (snapshot->sockets[i]->side == side
		    && strcmp(snapshot->sockets[i]->name, name) == 0
		    && snapshot->sockets[i]->state == state)
			return false;
	const char *after = N_("the kernel's timer ended it");
	for (size_t i = 0; i < sizeof endings / sizeof endings[0]; i++)
		if (endings[i].state == state)
			after = endings[i].after;
	long long passed_s = (now_us - since_us) / 1000000;
	long long timer_s = (expires_us - since_us + 500000) / 1000000;
	static const char *const said =
		N_("%s ended: %lld s passed since step %zu, longer than its %lld s timer; %s");
	const char *state_name = probe_state_name(state, SOCK_STREAM);
	snprintf(out, size, said, state_name, passed_s, since_step, timer_s, after);
	if (shown)
		snprintf(shown, shown_size, _(said), state_name, passed_s, since_step, timer_s,
			 _(after));
	return true;
}
