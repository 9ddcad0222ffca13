#include "api/audit.h"

#include <charconv>
#include <string>
#include <utility>

#include "model/json_codec.h"

namespace cloud::api {

AuditSink MakeStoreAuditSink(store::AuditStore& store, Logger log) {
  return [&store, log = std::move(log)](const AuditEntry& entry) {
    store::AuditRecord record;
    record.actor = entry.actor;
    record.method = entry.method;
    record.path = entry.route;
    record.resource_id = entry.resource_id;
    record.status = entry.status;
    if (Result<store::AuditRecord> r = store.AppendAuditRecord(std::move(record)); !r) {
      log.With(logkey::kMethod, entry.method)
          .With("route", entry.route)
          .With("resource", entry.resource_id)
          .Error("failed to write audit record", r.error());
    }
  };
}

void RegisterAuditRoutes(Router& router, const HandlerEnv& env, store::AuditStore& store) {
  AddRoute(
      router, env, "GET", "/api/audit", "handleGetAudit",
      [&store](RequestContext& ctx, const HttpRequest& request) {
        int64_t limit = 100;
        if (std::string_view raw = request.QueryValue("limit"); !raw.empty()) {
          auto [ptr, ec] = std::from_chars(raw.data(), raw.data() + raw.size(), limit);
          if (ec != std::errc() || ptr != raw.data() + raw.size() || limit < 1 || limit > 1000) {
            return RespondError(ctx, "invalid audit query",
                                InvalidArgument("limit must be an integer from 1 to 1000"));
          }
        }
        Result<std::vector<store::AuditRecord>> records = store.ListAuditRecords(limit);
        if (!records) return RespondError(ctx, "failed to list audit records", records.error());
        model::Json out = model::Json::array();
        for (const store::AuditRecord& r : *records) {
          model::Json row = model::Json::object();
          row["ID"] = r.id;
          row["CreateAt"] = r.create_at;
          row["Actor"] = r.actor;
          row["Method"] = r.method;
          row["Path"] = r.path;
          row["ResourceID"] = r.resource_id;
          row["Status"] = r.status;
          out.push_back(std::move(row));
        }
        return JsonTextResponse(200, model::DumpGoJson(out));
      });
}

}  // namespace cloud::api
