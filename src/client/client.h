// Client: the C++ client of the provisioning server's REST API, mirroring upstream's Go
// model.Client (spec upstream-api.md §6). The CLI and the API tests use it.
//
// The generic pieces (URL building, status checks, JSON decoding, 404-is-nil) live here and
// in client.cc; the typed methods of §6.2 are defined in one file per noun
// (client_cluster.cc, client_installation.cc, ...), each a few lines over these helpers.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "client/client_requests.h"
#include "client/http_transport.h"
#include "client/query.h"
#include "common/result.h"
#include "model/annotation.h"
#include "model/backup.h"
#include "model/cluster.h"
#include "model/cluster_installation.h"
#include "model/cluster_requests.h"
#include "model/db_migration.h"
#include "model/db_restoration.h"
#include "model/event.h"
#include "model/event_delivery_record.h"
#include "model/group.h"
#include "model/installation.h"
#include "model/installation_requests.h"
#include "model/json_codec.h"
#include "model/multitenant_database.h"
#include "model/subscription.h"
#include "model/utility_metadata.h"
#include "model/webhook.h"

namespace cloud::client {

// The HTTP status carried by an error produced by Client ("failed with status code N..."),
// or nullopt for other errors (transport, decoding).
std::optional<int> HttpStatusOf(const Error& error);

// Builds the Error for an unexpected status: code by status class (400 kInvalidArgument,
// 401 kUnauthenticated, 403 kForbidden, 404 kNotFound, 409 kConflict, 503 kUnavailable,
// other kInternal) and message "failed with status code N" plus ": <message>" when the body
// carries one (a JSON {"Error"|"error"|"message": ...} or a short text line).
Error StatusError(const HttpResponse& response);

// Output of the exec/pprof routes: upstream returns the body also when the call failed.
struct ExecOutput {
  std::string output;          // response body, whatever the status
  std::optional<Error> error;  // set when the status was not 200
};

// Lifecycle: created per CLI command or per test; owns its transport (one reused connection).
// Threading: methods may be called from several threads; the transport serialises requests.
class Client {
 public:
  // upstream NewClient(address) / NewClientWithHeaders(address, headers). `address` is the
  // base URL such as "http://localhost:8075" (a trailing '/' is dropped).
  explicit Client(std::string address, HttpHeaders headers = {}, HttpTransportOptions options = {});
  // With an injected transport (tests).
  Client(std::string address, HttpHeaders headers, std::unique_ptr<HttpTransport> transport);
  ~Client();
  Client(Client&&) noexcept;
  Client& operator=(Client&&) noexcept;

  const std::string& address() const { return address_; }
  const HttpHeaders& headers() const { return headers_; }

  // ---- generic pieces -----------------------------------------------------------------------

  // address + path (+ '?' + query). `path` is used as given: escape user-supplied segments
  // with PathEscape (Seg below) when building it.
  std::string Url(std::string_view path, const Query& query = {}) const;
  // A path segment, escaped (IDs pass unchanged).
  static std::string Seg(std::string_view segment) { return PathEscape(segment); }

  // Sends a request with the client's headers; a body gets Content-Type application/json.
  // Errors: kUnavailable when the server cannot be reached. Any status is returned as is.
  Result<HttpResponse> Send(HttpMethod method, std::string_view path, const Query& query = {},
                            std::optional<std::string> body = std::nullopt);

  // Send() and require one of `statuses`. Errors: as Send, or StatusError(response).
  Result<HttpResponse> Expect(HttpMethod method, std::string_view path, const Query& query,
                              std::optional<std::string> body, std::initializer_list<int> statuses);

  // Encodes a request value as upstream's json.Marshal would (the body of POST/PUT).
  template <class Req>
  static std::string Body(const Req& request) {
    return model::EncodeJson(request);
  }
  // The body of a nil request: `null`.
  static std::string NullBody() { return "null"; }

  // Expect() + decode the body into T. Errors: as Expect; kInvalidArgument "failed to decode
  // response: ..." for a body that is not a T.
  template <class T>
  Result<T> DoJson(HttpMethod method, std::string_view path, const Query& query,
                   std::optional<std::string> body, int expected_status) {
    CLOUD_TRY(HttpResponse response,
              Expect(method, path, query, std::move(body), {expected_status}));
    return DecodeBody<T>(response);
  }

  // Upstream's GET with 404→nil: 200 → the value, 404 → nullopt, other → StatusError.
  template <class T>
  Result<std::optional<T>> GetOptional(std::string_view path, const Query& query = {}) {
    CLOUD_TRY(HttpResponse response, Send(HttpMethod::kGet, path, query));
    if (response.status == 404) return std::optional<T>();
    if (response.status != 200) return StatusError(response);
    CLOUD_TRY(T value, DecodeBody<T>(response));
    return std::optional<T>(std::move(value));
  }

  // Expect() and ignore the body (methods that return only an error upstream).
  Result<void> DoNoContent(HttpMethod method, std::string_view path, const Query& query,
                           std::optional<std::string> body, int expected_status);

  template <class T>
  static Result<T> DecodeBody(const HttpResponse& response) {
    Result<T> value = model::DecodeJson<T>(response.body);
    if (!value) return value.error().WithContext("failed to decode response");
    return value;
  }

  // GET path → 200 → the raw JSON (any other status is an error, 404 included).
  Result<model::Json> GetRaw(std::string_view path, const Query& query = {});

  // ---- methods of §6.2 that need no wire types ---------------------------------------------

  // Clusters.
  Result<void> RetryCreateCluster(const std::string& cluster_id);
  Result<void> DeleteCluster(const std::string& cluster_id);
  Result<void> DeleteClusterAnnotation(const std::string& cluster_id,
                                       const std::string& annotation_name);
  // Installations.
  Result<void> RetryCreateInstallation(const std::string& installation_id);
  Result<int64_t> GetInstallationsCount(bool include_deleted);
  Result<void> DeleteInstallation(const std::string& installation_id);
  Result<void> CancelInstallationDeletion(const std::string& installation_id);
  Result<void> DeleteInstallationAnnotation(const std::string& installation_id,
                                            const std::string& annotation_name);
  // Backups.
  Result<void> DeleteInstallationBackup(const std::string& backup_id);
  // Cluster installations. The config is a free-form Mattermost config object.
  Result<std::optional<model::Json>> GetClusterInstallationConfig(
      const std::string& cluster_installation_id);
  Result<void> SetClusterInstallationConfig(const std::string& cluster_installation_id,
                                            const model::Json& config);
  // Errors of the Result: transport only; a non-200 status is reported in ExecOutput::error.
  Result<ExecOutput> ExecClusterInstallationCLI(const std::string& cluster_installation_id,
                                                const std::string& command,
                                                const std::vector<std::string>& subcommand);
  Result<ExecOutput> RunMattermostCLICommandOnClusterInstallation(
      const std::string& cluster_installation_id, const std::vector<std::string>& subcommand);
  Result<ExecOutput> ExecClusterInstallationPPROF(const std::string& cluster_installation_id);
  // Groups.
  Result<void> DeleteGroup(const std::string& group_id);
  Result<void> JoinGroup(const std::string& group_id, const std::string& installation_id);
  Result<void> DeleteGroupAnnotation(const std::string& group_id,
                                     const std::string& annotation_name);
  // Databases.
  Result<void> DeleteMultitenantDatabase(const std::string& multitenant_database_id, bool force);
  Result<void> DeleteLogicalDatabase(const std::string& logical_database_id);
  // Webhooks and subscriptions.
  Result<void> DeleteWebhook(const std::string& webhook_id);
  Result<void> DeleteSubscription(const std::string& subscription_id);
  // Security locks: POST /api/security/<type>/<id>/<api|deletion>/<lock|unlock>, body null, 200.
  Result<void> LockAPIForCluster(const std::string& cluster_id);
  Result<void> UnlockAPIForCluster(const std::string& cluster_id);
  Result<void> LockAPIForInstallation(const std::string& installation_id);
  Result<void> UnlockAPIForInstallation(const std::string& installation_id);
  Result<void> LockDeletionLockForInstallation(const std::string& installation_id);
  Result<void> UnlockDeletionLockForInstallation(const std::string& installation_id);
  Result<void> LockAPIForClusterInstallation(const std::string& cluster_installation_id);
  Result<void> UnlockAPIForClusterInstallation(const std::string& cluster_installation_id);
  Result<void> LockAPIForGroup(const std::string& group_id);
  Result<void> UnlockAPIForGroup(const std::string& group_id);
  Result<void> LockAPIForBackup(const std::string& backup_id);
  Result<void> UnlockAPIForBackup(const std::string& backup_id);

  // ---- typed methods of §6.2 (one .cc per noun) ---------------------------------------------
  // Conventions: "404→nil" gets return Result<std::optional<T>>; other failures are Errors
  // from StatusError ("failed with status code N[: message]") or the transport (kUnavailable).

  // Clusters (client_cluster.cc).
  Result<model::ClusterDTO> CreateCluster(const model::CreateClusterRequest& request);
  Result<model::ClusterDTO> ImportCluster(const model::ImportClusterRequest& request);
  Result<model::ClusterDTO> ProvisionCluster(
      const std::string& cluster_id, const std::optional<model::ProvisionClusterRequest>& request);
  Result<std::optional<model::ClusterDTO>> GetCluster(const std::string& cluster_id);
  Result<std::vector<model::ClusterDTO>> GetClusters(const GetClustersRequest& request);
  Result<model::UtilityMetadata> GetClusterUtilities(const std::string& cluster_id);
  Result<model::ClusterDTO> UpdateCluster(const std::string& cluster_id,
                                          const model::UpdateClusterRequest& request);
  Result<model::ClusterDTO> UpgradeCluster(const std::string& cluster_id,
                                           const model::PatchUpgradeClusterRequest& request);
  Result<model::ClusterDTO> ResizeCluster(const std::string& cluster_id,
                                          const model::PatchClusterSizeRequest& request);
  Result<model::ClusterDTO> CreateNodegroups(const std::string& cluster_id,
                                             const model::CreateNodegroupsRequest& request);
  Result<model::ClusterDTO> DeleteNodegroup(const std::string& cluster_id,
                                            const std::string& nodegroup);
  Result<model::ClusterDTO> AddClusterAnnotations(const std::string& cluster_id,
                                                  const model::AddAnnotationsRequest& request);

  // Installations (client_installation.cc).
  Result<model::InstallationDTO> CreateInstallation(
      const model::CreateInstallationRequest& request);
  // `request` nullopt ≙ Go nil: no group-config parameters (server defaults).
  Result<std::optional<model::InstallationDTO>> GetInstallation(
      const std::string& installation_id,
      const std::optional<GetInstallationRequest>& request = std::nullopt);
  // Errors: kFailedPrecondition "received ambiguous response (N Installations) when expecting
  // only one" when several match.
  Result<std::optional<model::InstallationDTO>> GetInstallationByDNS(
      const std::string& dns, const std::optional<GetInstallationRequest>& request = std::nullopt);
  Result<std::vector<model::InstallationDTO>> GetInstallations(
      const GetInstallationsRequest& request);
  Result<model::InstallationDTO> UpdateInstallation(const std::string& installation_id,
                                                    const model::PatchInstallationRequest& request);
  Result<model::InstallationDTO> CreateInstallationVolume(
      const std::string& installation_id, const model::CreateInstallationVolumeRequest& request);
  Result<model::InstallationDTO> UpdateInstallationVolume(
      const std::string& installation_id, const std::string& volume_name,
      const model::PatchInstallationVolumeRequest& request);
  Result<model::InstallationDTO> DeleteInstallationVolume(const std::string& installation_id,
                                                          const std::string& volume_name);
  Result<model::InstallationDTO> HibernateInstallation(const std::string& installation_id);
  Result<model::InstallationDTO> WakeupInstallation(
      const std::string& installation_id,
      const std::optional<model::PatchInstallationRequest>& request);
  Result<std::optional<model::InstallationsStatus>> GetInstallationsStatus();
  Result<model::InstallationDTO> UpdateInstallationDeletion(
      const std::string& installation_id, const model::PatchInstallationDeletionRequest& request);
  Result<model::InstallationDTO> UpdateInstallationScheduledDeletion(
      const std::string& installation_id,
      const model::PatchInstallationScheduledDeletionRequest& request);
  Result<model::InstallationDTO> AddInstallationDNS(const std::string& installation_id,
                                                    const model::AddDNSRecordRequest& request);
  Result<model::InstallationDTO> SetInstallationDomainPrimary(const std::string& installation_id,
                                                              const std::string& dns_id);
  Result<model::InstallationDTO> DeleteInstallationDNS(const std::string& installation_id,
                                                       const std::string& dns_id);
  Result<model::InstallationDTO> AddInstallationAnnotations(
      const std::string& installation_id, const model::AddAnnotationsRequest& request);

  // Backups, restorations, DB migrations (client_operation.cc).
  Result<model::InstallationBackup> CreateInstallationBackup(const std::string& installation_id);
  Result<std::vector<model::InstallationBackup>> GetInstallationBackups(
      const GetInstallationBackupsRequest& request);
  Result<model::InstallationBackup> GetInstallationBackup(const std::string& backup_id);
  Result<model::InstallationDBRestorationOperation> RestoreInstallationDatabase(
      const std::string& installation_id, const std::string& backup_id);
  Result<std::vector<model::InstallationDBRestorationOperation>>
  GetInstallationDBRestorationOperations(
      const GetInstallationDBRestorationOperationsRequest& request);
  Result<model::InstallationDBRestorationOperation> GetInstallationDBRestoration(
      const std::string& id);
  Result<model::InstallationDBMigrationOperation> MigrateInstallationDatabase(
      const model::InstallationDBMigrationRequest& request);
  Result<model::InstallationDBMigrationOperation> CommitInstallationDBMigration(
      const std::string& id);
  Result<model::InstallationDBMigrationOperation> RollbackInstallationDBMigration(
      const std::string& id);
  Result<std::vector<model::InstallationDBMigrationOperation>> GetInstallationDBMigrationOperations(
      const GetInstallationDBMigrationOperationsRequest& request);
  Result<model::InstallationDBMigrationOperation> GetInstallationDBMigrationOperation(
      const std::string& id);

  // Cluster installations (client_cluster_installation.cc).
  Result<std::optional<model::ClusterInstallation>> GetClusterInstallation(
      const std::string& cluster_installation_id);
  Result<std::vector<model::ClusterInstallation>> GetClusterInstallations(
      const GetClusterInstallationsRequest& request);
  Result<model::ClusterInstallationStatus> GetClusterInstallationStatus(
      const std::string& cluster_installation_id);
  Result<model::MigrateClusterInstallationResponse> MigrateClusterInstallation(
      const model::MigrateClusterInstallationRequest& request);
  Result<model::MigrateClusterInstallationResponse> MigrateDNS(
      const model::MigrateClusterInstallationRequest& request);
  Result<model::MigrateClusterInstallationResponse> DeleteInActiveClusterInstallationsByCluster(
      const std::string& cluster_id);
  Result<model::ClusterInstallation> DeleteInActiveClusterInstallationByID(
      const std::string& cluster_installation_id);
  Result<model::MigrateClusterInstallationResponse> SwitchClusterRoles(
      const model::MigrateClusterInstallationRequest& request);

  // Groups (client_group.cc).
  Result<model::GroupDTO> CreateGroup(const model::CreateGroupRequest& request);
  Result<model::GroupDTO> UpdateGroup(const model::PatchGroupRequest& request);
  Result<std::optional<model::GroupDTO>> GetGroup(const std::string& group_id);
  Result<std::vector<model::GroupDTO>> GetGroups(const GetGroupsRequest& request);
  Result<std::optional<model::GroupStatus>> GetGroupStatus(const std::string& group_id);
  Result<std::optional<std::vector<model::GroupsStatus>>> GetGroupsStatus();
  Result<void> AssignGroup(const std::string& installation_id,
                           const model::AssignInstallationGroupRequest& request);
  Result<void> LeaveGroup(const std::string& installation_id, const LeaveGroupRequest& request);
  Result<model::GroupDTO> AddGroupAnnotations(const std::string& group_id,
                                              const model::AddAnnotationsRequest& request);

  // Databases (client_database.cc).
  Result<std::vector<model::MultitenantDatabase>> GetMultitenantDatabases(
      const GetMultitenantDatabasesRequest& request);
  Result<std::optional<model::MultitenantDatabase>> GetMultitenantDatabase(
      const std::string& multitenant_database_id);
  Result<model::MultitenantDatabase> UpdateMultitenantDatabase(
      const std::string& multitenant_database_id,
      const model::PatchMultitenantDatabaseRequest& request);
  Result<std::vector<model::LogicalDatabase>> GetLogicalDatabases(
      const GetLogicalDatabasesRequest& request);
  Result<std::optional<model::LogicalDatabase>> GetLogicalDatabase(
      const std::string& logical_database_id);
  Result<std::vector<model::DatabaseSchema>> GetDatabaseSchemas(
      const GetDatabaseSchemaRequest& request);
  Result<std::optional<model::DatabaseSchema>> GetDatabaseSchema(
      const std::string& database_schema_id);

  // Webhooks, subscriptions, events (client_event.cc).
  Result<model::Webhook> CreateWebhook(const model::CreateWebhookRequest& request);
  Result<std::optional<model::Webhook>> GetWebhook(const std::string& webhook_id);
  Result<std::vector<model::Webhook>> GetWebhooks(const GetWebhooksRequest& request);
  Result<model::Subscription> CreateSubscription(const model::CreateSubscriptionRequest& request);
  Result<std::optional<model::Subscription>> GetSubscription(const std::string& subscription_id);
  Result<std::vector<model::Subscription>> ListSubscriptions(
      const ListSubscriptionsRequest& request);
  Result<std::vector<model::StateChangeEventData>> ListStateChangeEvents(
      const ListStateChangeEventsRequest& request);
  // Beyond upstream (src/events/README.md): a subscription's deliveries with their attempts
  // and last error, newest event first; and sending one event to a subscription again.
  Result<std::vector<model::EventDeliveryRecord>> ListSubscriptionDeliveries(
      const std::string& subscription_id, const ListSubscriptionDeliveriesRequest& request);
  Result<model::EventDeliveryRecord> RedeliverSubscriptionEvent(const std::string& subscription_id,
                                                                const std::string& event_id);

 private:
  Result<void> MakeSecurityCall(std::string_view resource_type, const std::string& id,
                                std::string_view security_type, std::string_view action);

  std::string address_;
  HttpHeaders headers_;
  std::unique_ptr<HttpTransport> transport_;
};

}  // namespace cloud::client
