// `cloud webhook ...` (upstream cmd/cloud/webhook.go and webhook_flag.go; spec upstream-api.md
// §7.2) and the header helpers `cloud subscription create` shares.
#include <memory>
#include <string>
#include <vector>

#include "cli/commands.h"
#include "cli/noun_helpers.h"
#include "cli/webhook_headers.h"
#include "model/webhook.h"

namespace cloud::cli {

Result<std::optional<model::Headers>> WebhookHeadersFromFlags(
    const std::vector<std::string>& headers, const std::vector<std::string>& headers_from_env) {
  CLOUD_TRY(auto values, ParseKeyValues(headers));
  CLOUD_TRY(auto from_env, ParseKeyValues(headers_from_env));
  if (values.empty() && from_env.empty()) return std::optional<model::Headers>();
  model::Headers out;
  for (const auto& [key, value] : values) {
    model::WebhookHeader header;
    header.key = key;
    header.value = value;
    out.push_back(std::move(header));
  }
  for (const auto& [key, env] : from_env) {
    model::WebhookHeader header;
    header.key = key;
    header.value_from_env = env;
    out.push_back(std::move(header));
  }
  Result<void> valid = model::ValidateWebhookHeaders(out);
  if (!valid) return valid.error().WithContext("failed to validate webhook headers");
  return std::optional<model::Headers>(std::move(out));
}

Result<client::Client> ClientWithExtraHeaders(CommandContext& ctx,
                                              const std::vector<std::string>& headers) {
  client::HttpHeaders merged = ctx.target().headers;
  CLOUD_TRY_VOID(MergeHeaders(headers, merged));
  if (ctx.cli().io().transport_factory) {
    return client::Client(ctx.target().server_url, std::move(merged),
                          ctx.cli().io().transport_factory());
  }
  return client::Client(ctx.target().server_url, std::move(merged));
}

void AddWebhookCommands(const std::shared_ptr<Cli>& cli, CLI::App& root) {
  CommandGroup group = CommandGroup::Add(cli, root, "webhook",
                                         "Manipulate webhooks managed by the provisioning server.",
                                         GroupFlagSet::kServerOnly);

  struct CreateFlags {
    std::string owner;
    std::string url;
    std::vector<std::string> headers;
    std::vector<std::string> headers_from_env;
  };
  auto c = std::make_shared<CreateFlags>();
  CLI::App* create =
      group.AddCommand("create", "Create a webhook.", [c](CommandContext& ctx) -> Result<void> {
        model::CreateWebhookRequest request;
        request.owner_id = c->owner;
        request.url = c->url;
        CLOUD_TRY(request.headers, WebhookHeadersFromFlags(c->headers, c->headers_from_env));
        // Upstream also sends the --header values as HTTP headers of the API call.
        CLOUD_TRY(client::Client client, ClientWithExtraHeaders(ctx, c->headers));
        Result<model::Webhook> webhook = client.CreateWebhook(request);
        if (!webhook) return webhook.error().WithContext("failed to create webhook");
        ctx.PrintJson(*webhook);
        return Ok();
      });
  create
      ->add_option("--owner", c->owner, "An opaque identifier describing the owner of the webhook.")
      ->required();
  create->add_option("--url", c->url, "The callback URL of the webhook.")->required();
  AddStringToString(create, "header", c->headers, "a header that should be sent with the request");
  AddStringToString(create, "header-from-env", c->headers_from_env,
                    "a header that should be sent with the request, with values read from "
                    "environment variables");

  auto get_id = std::make_shared<std::string>();
  CLI::App* get = group.AddCommand(
      "get", "Get a particular webhook.", [get_id](CommandContext& ctx) -> Result<void> {
        Result<std::optional<model::Webhook>> found = ctx.client().GetWebhook(*get_id);
        if (!found) return found.error().WithContext("failed to query webhook");
        if (*found) ctx.PrintJson(**found);
        return Ok();
      });
  get->add_option("--webhook", *get_id, "The id of the webhook to be fetched.")->required();

  struct ListFlags {
    PagingFlags paging;
    std::string owner;
    bool table = false;
  };
  auto l = std::make_shared<ListFlags>();
  CLI::App* list =
      group.AddCommand("list", "List created webhooks.", [l](CommandContext& ctx) -> Result<void> {
        client::GetWebhooksRequest request;
        request.owner_id = l->owner;
        request.paging = l->paging.ToPaging();
        Result<std::vector<model::Webhook>> webhooks = ctx.client().GetWebhooks(request);
        if (!webhooks) return webhooks.error().WithContext("failed to query webhooks");
        if (!l->table) {
          ctx.PrintJson(*webhooks);
          return Ok();
        }
        Table table;
        table.headers = {"ID", "OWNER", "URL", "HTTP HEADERS"};
        for (const model::Webhook& w : *webhooks) {
          table.rows.push_back(
              {w.id, w.owner_id, w.url, std::to_string(w.headers ? w.headers->size() : 0)});
        }
        ctx.out() << RenderTable(table);
        return Ok();
      });
  AddPagingFlags(list, l->paging);
  list->add_option("--owner", l->owner, "The owner by which to filter webhooks.");
  list->add_flag("--table", l->table,
                 "Whether to display the returned webhook list in a table or not");

  auto delete_id = std::make_shared<std::string>();
  CLI::App* del = group.AddCommand("delete", "Delete a webhook.",
                                   [delete_id](CommandContext& ctx) -> Result<void> {
                                     Result<void> r = ctx.client().DeleteWebhook(*delete_id);
                                     if (!r)
                                       return r.error().WithContext("failed to delete webhook");
                                     return Ok();
                                   });
  del->add_option("--webhook", *delete_id, "The id of the webhook to be deleted.")->required();
}

}  // namespace cloud::cli
