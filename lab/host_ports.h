/* host_ports — the host path's rewriting of a call's addresses: the lab
 * keeps to loopback, moves the lesson's fixed ports onto free ones of the
 * host, keeps file names inside the lab's directory and puts its own
 * prefix before abstract Unix names. What cannot be kept there is refused
 * with the errno the private path's namespace would give.
 *
 * Nothing here needs a session; the only kernel question (which port is
 * free) is asked through `free_port`, so the tests give their own
 * (tests/test_host_ports.c).
 */
#ifndef SOCKLAB_HOST_PORTS_H
#define SOCKLAB_HOST_PORTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "catalog.h"
#include "lesson.h"
#include "model.h"

/* Why the lab refuses a call itself, before any kernel sees it. */
struct refusal {
	int error;            /* the errno the call returns; 0: not refused */
	char why[160];
};

/* Sets the refusal, unless `refusal` is NULL or already says why (the
 * first reason stands). */
void refuse(struct refusal *refusal, int error, const char *format, ...)
	__attribute__((format(printf, 3, 4)));

/* The host's port for each lesson port. Zero-initialise, then set
 * `free_port`; host_ports_done() frees it. */
struct host_ports {
	uint16_t *table;      /* PORT_COUNT host ports by lesson port (0 unmapped), then a bitmap
	                         of the host ports given out; NULL until the first port */
	int (*free_port)(char **err);   /* a port free on the host now, or -1 with *err */
	struct run_info *info;          /* its port_map lists the first mappings; may be NULL */
};

void host_ports_done(struct host_ports *ports);

/* The host's port for a lesson's port, or 0 with *err (may be NULL) when
 * none is free. Every lesson port gets its own host port, however many
 * the lesson names; info->port_map lists the first ones. */
uint16_t host_ports_map(struct host_ports *ports, uint16_t port, char **err);

/* Maps every fixed port the lesson's steps name, in order: 0, or -1 with
 * *err. */
int host_ports_map_lesson(struct host_ports *ports, const struct lesson *lesson, char **err);

/* Rewrites a call's address for the host path (the wildcard address
 * becomes loopback, a port its mapped one, an abstract name gets the
 * lab's prefix), or says in *refusal (may be NULL) why it cannot be
 * kept there. `type` is the socket's type (0 unknown). */
void host_ports_address(struct host_ports *ports, enum call_id call, int type,
			struct sockaddr_storage *address, socklen_t *length,
			struct refusal *refusal);

/* The lesson's port as the host path maps it; the host part stays (an
 * expected address names what the kernel reports, 0.0.0.0 included). */
void host_ports_expected(struct host_ports *ports, struct sockaddr_storage *address);

/* Refuses a file name that leaves the lab's directory: absolute, or with
 * a `..` component. The kernel reads a name up to its first NUL. */
void host_refuse_name(struct refusal *refusal, const char *name, size_t size);

#endif
