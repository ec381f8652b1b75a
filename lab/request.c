/* request — a step's call as a puppet's request (request.h). */
#include "request.h"

#include <string.h>

#include "sides.h"

/* The request for a call. On the host path its addresses and file names
 * are kept to loopback and the lab's directory; what cannot be kept there
 * is refused, with why in *refusal (which may be NULL: a program's call). */
int request_build(struct session *session, const struct typed_call *call,
		  struct puppet_request *request, struct refusal *refusal, char **err)
{
	bool host = session->sandbox->kind == SANDBOX_HOST;
	struct side *side = &session->sides[call->side];
	int numbers = 0;
	memset(request, 0, offsetof(struct puppet_request, bytes));
	request->call = call->def->id;
	request->fd = -1;
	for (int a = 0; a < call->arg_count; a++) {
		const struct call_arg *arg = &call->args[a];
		switch (arg->kind) {
		case ARG_SOCKET: {
			int fd = (int)arg->number;
			if (arg->socket_name[0]) {
				const struct name_binding *binding =
					side_find_name(side, arg->socket_name);
				fd = binding ? binding->fd : -1;
			}
			if (request->fd_count == 0)
				request->fd = fd;
			if (request->fd_count < PUPPET_MAX_WATCHED)
				request->fds[request->fd_count++] = fd;
			break;
		}
		case ARG_ADDRESS:
			request->address = arg->address;
			request->address_len = arg->address_len;
			if (host) {
				const struct fd_kind *kind = side_find_kind(side, request->fd);
				host_ports_address(&session->host_ports, call->def->id,
						   kind ? kind->type : 0, &request->address,
						   &request->address_len, refusal);
			}
			break;
		case ARG_BYTES:
		case ARG_PATH:
			/* A path carries its NUL; bytes fill the buffer exactly. */
			if (arg->bytes_len + (arg->kind == ARG_PATH) > sizeof request->bytes)
				return text_error(err, "too many bytes for one call");
			memcpy(request->bytes, arg->bytes, arg->bytes_len);
			request->bytes_len = (uint32_t)arg->bytes_len;
			if (arg->kind == ARG_PATH)
				request->bytes[request->bytes_len++] = '\0';
			if (arg->kind == ARG_PATH && host)
				host_refuse_name(refusal, (const char *)request->bytes,
						 request->bytes_len);
			break;
		default:
			if (numbers < 4)
				request->numbers[numbers++] = arg->number;
		}
	}
	/* What would bind a socket to the wildcard address binds it to loopback:
	 * listen(), sendto(), and connect(), whose port stays bound to the
	 * wildcard address even when it fails. */
	enum call_id id = call->def->id;
	request->loopback_first =
		host && (id == CALL_LISTEN || id == CALL_CONNECT || id == CALL_SENDTO);
	return 0;
}
