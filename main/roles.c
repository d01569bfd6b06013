/* SPDX-License-Identifier: GPL-2.0-only */
/* roles: the processes of a flowtop run, wired together. This is the one
 * place that knows every role; privsep/ starts them from this table and
 * each confines itself in its own folder. */
#include "main/roles.h"
#include "baseline/writer.h"
#include "ipfix/exporter.h"
#include "nsdiag/nsdiag.h"
#include "recorder/recorder.h"
#include "replay/replay.h"
#include "resolver/resolver.h"
#include "ui/ui.h"

static const struct role_spec role_collector = {
	.name = "collector", .comm = "flowtop",
	.policy = &collector_policy,
	.limits = 0,
	.entry = NULL,          /* the process that starts the others */
};

static const struct role_spec role_resolver = {
	.name = "resolver", .comm = "flowtop-resolv",
	.policy = &resolver_policy,
	.limits = ROLE_LIMIT_NO_FORK | ROLE_LIMIT_NO_CORE,
	.entry = resolver_role_main,
};

static const struct role_spec role_ui = {
	.name = "ui", .comm = "flowtop-ui",
	.policy = &ui_policy,
	.limits = ROLE_LIMIT_NO_FORK | ROLE_LIMIT_NO_CORE,
	.entry = ui_role_main,
};

static const struct role_spec role_nsdiag = {
	.name = "nsdiag", .comm = "flowtop-nsdiag",
	.policy = &nsdiag_policy,
	.limits = ROLE_LIMIT_NO_FORK | ROLE_LIMIT_NO_CORE,
	.entry = nsdiag_role_main,
};

static const struct role_spec role_recorder = {
	.name = "recorder", .comm = "flowtop-rec",
	.policy = &recorder_policy,
	.limits = ROLE_LIMIT_NO_FORK | ROLE_LIMIT_NO_CORE,
	.entry = recorder_role_main,
};

static const struct role_spec role_baseline = {
	.name = "baseline", .comm = "flowtop-base",
	.policy = &baseline_writer_policy,
	.limits = ROLE_LIMIT_NO_FORK | ROLE_LIMIT_NO_CORE,
	.entry = baseline_writer_main,
};

static const struct role_spec role_ipfix = {
	.name = "ipfix", .comm = "flowtop-ipfix",
	.policy = &ipfix_exporter_policy,
	.limits = ROLE_LIMIT_NO_FORK | ROLE_LIMIT_NO_CORE,
	.entry = ipfix_exporter_main,
};

const struct run_roles flowtop_roles = {
	.collector = &role_collector,
	.resolver = &role_resolver,
	.ui = &role_ui,
	.nsdiag = &role_nsdiag,
	.recorder = &role_recorder,
	.baseline = &role_baseline,
	.ipfix = &role_ipfix,
};

/* --replay: no collector, no resolver; the reader stands for both. */
static const struct role_spec role_replay = {
	.name = "replay-run", .comm = "flowtop",
	.policy = &replay_policy,
	.limits = 0,
	.entry = NULL,
};

static const struct role_spec role_replay_reader = {
	.name = "replay", .comm = "flowtop-replay",
	.policy = &replay_reader_policy,
	.limits = ROLE_LIMIT_NO_FORK | ROLE_LIMIT_NO_CORE,
	.entry = replay_reader_main,
};

const struct replay_roles replay_roles = {
	.self = &role_replay,
	.reader = &role_replay_reader,
	.ui = &role_ui,
};
