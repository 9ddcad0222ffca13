// Webhook/subscription header flags (--header K=V, --header-from-env K=ENV) as upstream's
// webhook and subscription create commands use them.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "cli/command.h"
#include "common/result.h"
#include "model/webhook.h"

namespace cloud::cli {

// Builds the header list (values first, then env references; keys sorted) and validates it;
// nullopt when both flags are empty. Errors: kInvalidArgument "failed to validate webhook
// headers: ..." or a malformed KEY=VALUE.
Result<std::optional<model::Headers>> WebhookHeadersFromFlags(
    const std::vector<std::string>& headers, const std::vector<std::string>& headers_from_env);

// A client for the command's target whose requests also carry `headers` (KEY=VALUE), as
// upstream sends a create command's --header values as HTTP headers too.
Result<client::Client> ClientWithExtraHeaders(CommandContext& ctx,
                                              const std::vector<std::string>& headers);

}  // namespace cloud::cli
