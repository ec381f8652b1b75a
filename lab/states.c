/* states — one row per socket state name. */
#include "states.h"

#include <netinet/tcp.h>
#include <string.h>
#include <sys/socket.h>

/* Kernel state numbers that <netinet/tcp.h> stops short of. */
enum {
	STATE_NEW_SYN_RECV = 12,   /* a request socket: the server half of a handshake */
	STATE_BOUND_INACTIVE = 13, /* a bound TCP socket, neither listening nor connected */
};

const struct state_row states_table[] = {
	{ "LISTEN", TCP_LISTEN, true },
	{ "SYN-SENT", TCP_SYN_SENT, true },
	{ "SYN-RECV", TCP_SYN_RECV, true },
	{ "ESTABLISHED", TCP_ESTABLISHED, true },
	{ "FIN-WAIT-1", TCP_FIN_WAIT1, true },
	{ "FIN-WAIT-2", TCP_FIN_WAIT2, true },
	{ "CLOSE-WAIT", TCP_CLOSE_WAIT, true },
	{ "CLOSING", TCP_CLOSING, true },
	{ "LAST-ACK", TCP_LAST_ACK, true },
	{ "TIME-WAIT", TCP_TIME_WAIT, true },
	{ "BOUND", TCP_CLOSE, false },
	{ "UNCONN", TCP_CLOSE, false },
	{ "gone", 0, false },
	{ "CLOSE", TCP_CLOSE, true },
};
const size_t states_count = sizeof states_table / sizeof states_table[0];

const char *states_name(int state, int type)
{
	/* A datagram socket is never "closed", only not connected. */
	if (state == TCP_CLOSE && type != SOCK_STREAM)
		return "UNCONN";
	if (state == STATE_NEW_SYN_RECV)
		state = TCP_SYN_RECV;
	if (state == STATE_BOUND_INACTIVE)
		return "BOUND";
	for (size_t i = 0; i < states_count; i++)
		if (states_table[i].shown && states_table[i].value == state)
			return states_table[i].name;
	return "?";
}

int states_value(const char *name, size_t len)
{
	for (size_t i = 0; i < states_count; i++)
		if (strlen(states_table[i].name) == len
		    && memcmp(states_table[i].name, name, len) == 0)
			return states_table[i].value;
	return -1;
}
