// `cloud subscription ...` (upstream cmd/cloud/events_subscription.go; spec upstream-api.md
// §7.2).
#include <memory>
#include <string>
#include <vector>

#include "cli/commands.h"
#include "cli/noun_helpers.h"
#include "cli/webhook_headers.h"
#include "model/event.h"
#include "model/subscription.h"

namespace cloud::cli {
namespace {

Table DefaultSubscriptionTable(const std::vector<model::Subscription>& subscriptions) {
  Table table;
  table.headers = {"ID", "EVENT TYPE", "OWNER", "LAST DELIVERY ATTEMPT", "LAST DELIVERY STATUS"};
  for (const model::Subscription& s : subscriptions) {
    table.rows.push_back({s.id, s.event_type, s.owner_id,
                          FormatTableTime(s.last_delivery_attempt_at),
                          std::string(ToString(s.last_delivery_status))});
  }
  return table;
}

}  // namespace

void AddSubscriptionCommands(const std::shared_ptr<Cli>& cli, CLI::App& root) {
  CommandGroup group = CommandGroup::Add(cli, root, "subscription", "Manage subscriptions.");

  struct CreateFlags {
    std::string name;
    std::string url;
    std::string owner;
    std::string event_type = std::string(model::kResourceStateChangeEventType);
    std::string failure_threshold = "0s";
    std::vector<std::string> headers;
    std::vector<std::string> headers_from_env;
  };
  auto c = std::make_shared<CreateFlags>();
  CLI::App* create =
      group.AddCommand("create", "Create subscription.", [c](CommandContext& ctx) -> Result<void> {
        model::CreateSubscriptionRequest request;
        request.name = c->name;
        request.url = c->url;
        request.owner_id = c->owner;
        request.event_type = c->event_type;
        CLOUD_TRY(request.failure_threshold,
                  DurationFlagNanos("failure-threshold", c->failure_threshold));
        CLOUD_TRY(request.headers, WebhookHeadersFromFlags(c->headers, c->headers_from_env));
        if (ctx.DryRun(request)) return Ok();
        CLOUD_TRY(client::Client client, ClientWithExtraHeaders(ctx, c->headers));
        Result<model::Subscription> created = client.CreateSubscription(request);
        if (!created) return created.error().WithContext("failed to create subscription");
        ctx.PrintJson(*created);
        return Ok();
      });
  create->add_option("--name", c->name, "Name of the subscription.");
  create->add_option("--url", c->url, "URL of the subscription.")->required();
  create->add_option("--owner", c->owner, "OwnerID of the subscription.")->required();
  create->add_option("--event-type", c->event_type, "Event type of the subscription.")
      ->capture_default_str()
      ->required();
  AddDuration(create, "failure-threshold", c->failure_threshold,
              "Failure threshold of the subscription.");
  AddStringToString(create, "header", c->headers, "a header that should be sent with the request");
  AddStringToString(create, "header-from-env", c->headers_from_env,
                    "a header that should be sent with the request, with values read from "
                    "environment variables");

  struct ListFlags {
    PagingFlags paging;
    TableFlags table;
    std::string owner;
    std::string event_type;
  };
  auto l = std::make_shared<ListFlags>();
  CLI::App* list =
      group.AddCommand("list", "List subscriptions.", [l](CommandContext& ctx) -> Result<void> {
        client::ListSubscriptionsRequest request;
        request.owner = l->owner;
        request.event_type = l->event_type;
        request.paging = l->paging.ToPaging();
        Result<std::vector<model::Subscription>> subs = ctx.client().ListSubscriptions(request);
        if (!subs) return subs.error().WithContext("failed to list subscriptions");
        return ctx.PrintList<model::Subscription>(*subs, l->table, DefaultSubscriptionTable);
      });
  AddPagingFlags(list, l->paging);
  AddTableFlags(list, l->table);
  list->add_option("--owner", l->owner, "OwnerID of the subscription.");
  list->add_option("--event-type", l->event_type, "Event type of the subscription.");

  auto get_id = std::make_shared<std::string>();
  CLI::App* get =
      group.AddCommand("get", "Get subscription.", [get_id](CommandContext& ctx) -> Result<void> {
        Result<std::optional<model::Subscription>> found = ctx.client().GetSubscription(*get_id);
        if (!found) return found.error().WithContext("failed to get subscription");
        if (*found) {
          ctx.PrintJson(**found);
        } else {
          ctx.PrintJsonValue(nullptr);  // upstream prints the nil pointer
        }
        return Ok();
      });
  get->add_option("--subscription", *get_id, "ID of subscription to get")->required();

  auto delete_id = std::make_shared<std::string>();
  CLI::App* del = group.AddCommand(
      "delete", "Delete subscription.", [delete_id](CommandContext& ctx) -> Result<void> {
        Result<void> r = ctx.client().DeleteSubscription(*delete_id);
        if (!r) return r.error().WithContext("failed to delete subscription");
        return Ok();
      });
  del->add_option("--subscription", *delete_id, "ID of subscription to delete")->required();

  // Beyond upstream (src/events/README.md).
  struct DeliveriesFlags {
    std::string subscription;
    PagingFlags paging;
  };
  auto d = std::make_shared<DeliveriesFlags>();
  CLI::App* deliveries = group.AddCommand(
      "deliveries", "List the deliveries of a subscription with their attempts and last error.",
      [d](CommandContext& ctx) -> Result<void> {
        client::ListSubscriptionDeliveriesRequest request;
        request.paging = d->paging.ToPaging();
        Result<std::vector<model::EventDeliveryRecord>> rows =
            ctx.client().ListSubscriptionDeliveries(d->subscription, request);
        if (!rows) return rows.error().WithContext("failed to list deliveries");
        ctx.PrintJson(*rows);
        return Ok();
      });
  AddPagingFlags(deliveries, d->paging);
  deliveries->add_option("--subscription", d->subscription, "ID of the subscription")->required();

  struct RedeliverFlags {
    std::string subscription;
    std::string event;
  };
  auto r = std::make_shared<RedeliverFlags>();
  CLI::App* redeliver =
      group.AddCommand("redeliver", "Send an event to a subscription again.",
                       [r](CommandContext& ctx) -> Result<void> {
                         Result<model::EventDeliveryRecord> row =
                             ctx.client().RedeliverSubscriptionEvent(r->subscription, r->event);
                         if (!row) return row.error().WithContext("failed to redeliver event");
                         ctx.PrintJson(*row);
                         return Ok();
                       });
  redeliver->add_option("--subscription", r->subscription, "ID of the subscription")->required();
  redeliver->add_option("--event", r->event, "ID of the event to send again")->required();
}

}  // namespace cloud::cli
