#include "api/api_routes.h"

#include "api/backup_handlers.h"
#include "api/cluster_handlers.h"
#include "api/cluster_installation_handlers.h"
#include "api/database_handlers.h"
#include "api/db_migration_handlers.h"
#include "api/db_restoration_handlers.h"
#include "api/delivery_handlers.h"
#include "api/event_handlers.h"
#include "api/group_handlers.h"
#include "api/installation_handlers.h"
#include "api/security_handlers.h"
#include "api/subscription_handlers.h"
#include "api/webhook_handlers.h"

namespace cloud::api {

void RegisterApiRoutes(Router& router, const HandlerEnv& env, const ApiDeps& deps) {
  RegisterClusterRoutes(router, env, deps);
  RegisterInstallationRoutes(router, env, deps);
  RegisterClusterInstallationRoutes(router, env, deps);
  RegisterGroupRoutes(router, env, deps);
  RegisterSecurityRoutes(router, env, deps);
  // Backups, DB restorations and migrations, webhooks, databases, subscriptions, events.
  RegisterBackupRoutes(router, env, deps);
  RegisterDBRestorationRoutes(router, env, deps);
  RegisterDBMigrationRoutes(router, env, deps);
  RegisterWebhookRoutes(router, env, deps);
  RegisterDatabaseRoutes(router, env, deps);
  RegisterSubscriptionRoutes(router, env, deps);
  RegisterEventRoutes(router, env, deps);
  // Beyond upstream: subscription deliveries (list, redeliver).
  RegisterDeliveryRoutes(router, env, deps);
}

}  // namespace cloud::api
