// `cloud events state-change list` (upstream cmd/cloud/events.go; spec upstream-api.md §7.2).
#include <memory>
#include <string>
#include <vector>

#include "cli/commands.h"
#include "cli/noun_helpers.h"
#include "model/event.h"

namespace cloud::cli {

void AddEventsCommands(const std::shared_ptr<Cli>& cli, CLI::App& root) {
  CommandGroup events =
      CommandGroup::Add(cli, root, "events", "Manage and view events.", GroupFlagSet::kServerOnly);
  CommandGroup state_change = events.AddGroup("state-change", "Manage state change events.");
  struct ListFlags {
    PagingFlags paging;
    TableFlags table;
    std::string resource_type;
    std::string resource_id;
  };
  auto l = std::make_shared<ListFlags>();
  CLI::App* list = state_change.AddCommand(
      "list", "List state change events.", [l](CommandContext& ctx) -> Result<void> {
        client::ListStateChangeEventsRequest request;
        request.resource_type = l->resource_type;
        request.resource_id = l->resource_id;
        request.paging = l->paging.ToPaging();
        Result<std::vector<model::StateChangeEventData>> items =
            ctx.client().ListStateChangeEvents(request);
        if (!items) return items.error().WithContext("failed to list state change events");
        return ctx.PrintList<model::StateChangeEventData>(
            *items, l->table, [](const std::vector<model::StateChangeEventData>& data) {
              Table table;
              table.headers = {"ID",        "RESOURCE TYPE", "RESOURCE ID",
                               "OLD STATE", "NEW STATE",     "TIMESTAMP"};
              for (const model::StateChangeEventData& e : data) {
                table.rows.push_back(
                    {e.event.id, std::string(ToString(e.state_change.resource_type)),
                     e.state_change.resource_id, e.state_change.old_state, e.state_change.new_state,
                     FormatTableTime(e.event.timestamp)});
              }
              return table;
            });
      });
  AddPagingFlags(list, l->paging);
  AddTableFlags(list, l->table);
  list->add_option("--resource-type", l->resource_type,
                   "Type of a resource for which to list events.");
  list->add_option("--resource-id", l->resource_id, "ID of a resource for which to list events.");
}

}  // namespace cloud::cli
