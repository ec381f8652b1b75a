/* host_ports — the host path's addresses and ports (host_ports.h). */
#include "host_ports.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/un.h>
#include <unistd.h>

#include "address.h"
#include "text.h"

enum { PORT_COUNT = 65536 };

void refuse(struct refusal *refusal, int error, const char *format, ...)
{
	if (!refusal || refusal->error)
		return;   /* the first reason stands */
	va_list args;
	va_start(args, format);
	vsnprintf(refusal->why, sizeof refusal->why, format, args);
	va_end(args);
	refusal->error = error;
}

void host_ports_done(struct host_ports *ports)
{
	free(ports->table);
	ports->table = NULL;
}

uint16_t host_ports_map(struct host_ports *ports, uint16_t port, char **err)
{
	if (!ports->table) {
		ports->table = calloc(PORT_COUNT + PORT_COUNT / 16, sizeof *ports->table);
		if (!ports->table) {
			text_error(err, "out of memory");
			return 0;
		}
	}
	uint16_t *taken = ports->table + PORT_COUNT;
	if (ports->table[port])
		return ports->table[port];
	/* A port free now is not held until a socket binds it: the kernel may
	 * offer it again for the next lesson port. */
	int free_port = -1;
	for (int attempt = 0; attempt < 64 && free_port < 0; attempt++) {
		free_port = ports->free_port(err);
		if (free_port < 0)
			return 0;
		if (taken[free_port / 16] & (1u << (free_port % 16)))
			free_port = -1;
	}
	if (free_port < 0) {
		text_error(err, "no free port on this host for the lesson's port %u",
			   (unsigned)port);
		return 0;
	}
	taken[free_port / 16] |= (uint16_t)(1u << (free_port % 16));
	ports->table[port] = (uint16_t)free_port;
	struct run_info *info = ports->info;
	if (info
	    && info->port_map_count < (int)(sizeof info->port_map / sizeof info->port_map[0])) {
		info->port_map[info->port_map_count].from = port;
		info->port_map[info->port_map_count].to = (uint16_t)free_port;
		info->port_map_count++;
	}
	return (uint16_t)free_port;
}

/* Whether a file name stays in the lab's directory: relative, and no `..`
 * component. The kernel reads a name up to its first NUL. */
static bool name_stays_inside(const char *name, size_t size)
{
	size_t length = strnlen(name, size);
	if (length > 0 && name[0] == '/')
		return false;
	for (size_t at = 0; at < length;) {
		size_t component = strcspn(name + at, "/");
		if (at + component > length)
			component = length - at;
		if (component == 2 && name[at] == '.' && name[at + 1] == '.')
			return false;
		at += component + 1;
	}
	return true;
}

void host_refuse_name(struct refusal *refusal, const char *name, size_t size)
{
	if (!name_stays_inside(name, size))
		refuse(refusal, EACCES,
		       "on the host path a file name stays in the lab's directory: %.*s %s "
		       "(write ./name)",
		       (int)strnlen(name, size > 80 ? 80 : size), name,
		       name[0] == '/' ? "is absolute" : "goes up with ..");
}

/* An abstract Unix name (@echo) lives in the network namespace, which the
 * host path shares with every program of the machine: the lab puts its
 * own prefix before it, as it moves ports, so it reaches no one else's. */
static void host_abstract(struct sockaddr_storage *address, socklen_t *length,
			  struct refusal *refusal)
{
	struct sockaddr_un *un = (struct sockaddr_un *)address;
	size_t name_length = *length - offsetof(struct sockaddr_un, sun_path) - 1;
	/* The controller's pid: no other running lab has it. */
	char base[32], name[sizeof un->sun_path];
	snprintf(base, sizeof base, "lab%d", (int)getpid());
	int prefixed =
		snprintf(name, sizeof name, "%s/%.*s", base, (int)name_length, un->sun_path + 1);
	if (prefixed < 0 || (size_t)prefixed + 1 > sizeof un->sun_path) {
		refuse(refusal, ENAMETOOLONG,
		       "the abstract name is too long for the lab's prefix @%s/", base);
		return;
	}
	memcpy(un->sun_path + 1, name, (size_t)prefixed);
	*length = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 + (size_t)prefixed);
}

/* Whether an IPv4 address (network order) is on loopback: 127.0.0.0/8. */
static bool loopback4(uint32_t address)
{
	return (ntohl(address) >> 24) == 127;
}

/* On the host, the lab keeps to loopback and moves the lesson's fixed
 * ports onto free ones, so students sharing a machine never collide and
 * nothing of the lab is reachable from, or reaches, the network: the
 * wildcard address becomes loopback, another address is refused with the
 * errno the private path's namespace (only lo) gives, a file name must
 * stay in the lab's directory, an abstract name gets the lab's prefix. */
void host_ports_address(struct host_ports *ports, enum call_id call, int type,
			struct sockaddr_storage *address, socklen_t *length,
			struct refusal *refusal)
{
	char text[TEXT_ADDRESS_MAX];
	in_port_t *port = NULL;
	bool loopback = true;
	if (address->ss_family == AF_INET) {
		struct sockaddr_in *in = (struct sockaddr_in *)address;
		if (in->sin_addr.s_addr == htonl(INADDR_ANY))
			in->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		/* bind() takes the broadcast address even for TCP (lesson 03),
		 * which can do nothing with it; a datagram socket would receive
		 * the network's broadcasts. */
		loopback = loopback4(in->sin_addr.s_addr)
			|| (call == CALL_BIND && type == SOCK_STREAM
			    && in->sin_addr.s_addr == htonl(INADDR_BROADCAST));
		port = &in->sin_port;
	} else if (address->ss_family == AF_INET6) {
		struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)address;
		uint32_t *mapped = &in6->sin6_addr.s6_addr32[3];   /* ::ffff:a.b.c.d's IPv4 part */
		if (IN6_IS_ADDR_UNSPECIFIED(&in6->sin6_addr))
			in6->sin6_addr = in6addr_loopback;
		else if (IN6_IS_ADDR_V4MAPPED(&in6->sin6_addr) && *mapped == htonl(INADDR_ANY))
			*mapped = htonl(INADDR_LOOPBACK);
		loopback = IN6_IS_ADDR_LOOPBACK(&in6->sin6_addr)
			   || (IN6_IS_ADDR_V4MAPPED(&in6->sin6_addr) && loopback4(*mapped));
		port = &in6->sin6_port;
	} else if (address->ss_family == AF_UNIX
		   && *length > offsetof(struct sockaddr_un, sun_path)) {
		struct sockaddr_un *un = (struct sockaddr_un *)address;
		size_t size = *length - offsetof(struct sockaddr_un, sun_path);
		if (un->sun_path[0] == '\0')
			host_abstract(address, length, refusal);
		else
			host_refuse_name(refusal, un->sun_path, size);
		return;
	}
	if (!loopback) {
		text_address((const struct sockaddr *)address, *length, text, sizeof text);
		refuse(refusal, call == CALL_BIND ? EADDRNOTAVAIL : ENETUNREACH,
		       "the host path keeps the lab on loopback: %s is not a loopback address",
		       text);
		return;
	}
	if (port && *port) {
		char *why = NULL;
		uint16_t mapped = host_ports_map(ports, ntohs(*port), &why);
		if (mapped)
			*port = htons(mapped);
		else
			refuse(refusal, EADDRNOTAVAIL, "%s",
			       why ? why : "no free port on this host");
		free(why);
	}
}

void host_ports_expected(struct host_ports *ports, struct sockaddr_storage *address)
{
	in_port_t *port = address->ss_family == AF_INET ? &((struct sockaddr_in *)address)->sin_port
		: address->ss_family == AF_INET6 ? &((struct sockaddr_in6 *)address)->sin6_port
						 : NULL;
	uint16_t mapped = port && *port ? host_ports_map(ports, ntohs(*port), NULL) : 0;
	if (mapped)
		*port = htons(mapped);
}

int host_ports_map_lesson(struct host_ports *ports, const struct lesson *lesson, char **err)
{
	for (size_t i = 0; i < lesson->step_count; i++) {
		const struct typed_call *call = &lesson->steps[i].call;
		for (int a = 0; a < call->arg_count; a++) {
			const struct sockaddr_storage *address = &call->args[a].address;
			uint16_t port = 0;
			if (call->args[a].kind != ARG_ADDRESS)
				continue;
			if (address->ss_family == AF_INET)
				port = ntohs(((const struct sockaddr_in *)address)->sin_port);
			else if (address->ss_family == AF_INET6)
				port = ntohs(((const struct sockaddr_in6 *)address)->sin6_port);
			if (port && host_ports_map(ports, port, err) == 0)
				return -1;
		}
	}
	return 0;
}
