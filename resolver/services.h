/* SPDX-License-Identifier: GPL-2.0-only */
/* services: port -> service name.
 *
 * TCP from conf_dir/tcp.conf, UDP (and UDP-Lite) from conf_dir/udp.conf,
 * each in netsniff-ng's format ("port, name" a line, '#' comments), then
 * /etc/services for whatever they do not name and for SCTP and DCCP. All
 * is read at load time, before the resolver is confined. A malformed line
 * is reported as "FILE:LINE: reason" and skipped.
 */
#ifndef FLOWTOP_SERVICES_H
#define FLOWTOP_SERVICES_H

#include <limits.h>
#include <stdint.h>

struct services;

typedef void (*svc_report_fn)(void *ctx, const char *line);

/* Missing files are not errors (a missing conf_dir file is reported once
 * as a hint). NULL only when out of memory. etc_services is normally
 * "/etc/services"; either source may be NULL to skip it. */
struct services *svc_load(const char *conf_dir, const char *etc_services,
			  svc_report_fn report, void *ctx);
void svc_free(struct services *s);

/* svc_load with its files already opened (before the resolver confines
 * itself, with the permissions of the user who named them): conf_fd[0]
 * and [1] are tcp.conf and udp.conf, etc_fd is etc_services; each is an
 * open file or -errno of the open that failed, and is taken (closed by
 * the call); SVC_BY_PATH opens that file here. conf_fd NULL: both by
 * path. */
#define SVC_BY_PATH INT_MIN
struct services *svc_load_fds(const char *conf_dir, const int conf_fd[2],
			      const char *etc_services, int etc_fd,
			      svc_report_fn report, void *ctx);

/* Open path as svc_load opens a conf file: the descriptor, or -errno. */
int svc_open_file(const char *path);

/* Service name of port for protocol l4proto (IPPROTO_TCP, _UDP, _UDPLITE,
 * _SCTP, _DCCP), or NULL. The name is printable ASCII, at most
 * SERVICE_NAME_LEN - 1 bytes. */
const char *svc_name(const struct services *s, uint8_t l4proto, uint16_t port);

#endif
