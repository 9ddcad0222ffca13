// `cloud group ...` (upstream cmd/cloud/group.go, group_flag.go, group_annotation.go; spec
// upstream-api.md §7.2).
#include <memory>
#include <string>
#include <vector>

#include "cli/commands.h"
#include "cli/noun_helpers.h"
#include "model/group.h"
#include "model/installation_requests.h"

namespace cloud::cli {
namespace {

Result<model::Scheduling> ParseScheduling(const std::string& text) {
  Result<model::Scheduling> scheduling = model::DecodeJson<model::Scheduling>(text);
  if (!scheduling) return scheduling.error().WithContext("failed to parse scheduling JSON");
  return scheduling;
}

void AddCreate(CommandGroup& group) {
  struct Flags {
    std::string name;
    std::string description;
    std::string version;
    std::string image;
    int64_t max_rolling = 1;
    std::vector<std::string> mattermost_env;
    std::string scheduling;
    std::vector<std::string> annotations;
  };
  auto f = std::make_shared<Flags>();
  CLI::App* cmd =
      group.AddCommand("create", "Create a group.", [f](CommandContext& ctx) -> Result<void> {
        CLOUD_TRY(std::optional<model::EnvVarMap> env, ParseEnvVarInput(f->mattermost_env, false));
        model::CreateGroupRequest request;
        request.name = f->name;
        request.max_rolling = f->max_rolling;
        request.description = f->description;
        request.version = f->version;
        request.image = f->image;
        request.mattermost_env = std::move(env);
        request.annotations = f->annotations;
        if (!f->scheduling.empty()) {
          CLOUD_TRY(request.scheduling, ParseScheduling(f->scheduling));
        }
        if (ctx.DryRun(request)) return Ok();
        Result<model::GroupDTO> created = ctx.client().CreateGroup(request);
        if (!created) return created.error().WithContext("failed to create group");
        ctx.PrintJson(*created);
        return Ok();
      });
  cmd->add_option("--name", f->name, "A unique name describing this group of installations.")
      ->required();
  cmd->add_option("--description", f->description,
                  "An optional description for this group of installations.");
  cmd->add_option("--version", f->version,
                  "The Mattermost version for installations in this group to target.");
  cmd->add_option("--image", f->image, "The Mattermost container image to use.");
  cmd->add_option("--max-rolling", f->max_rolling,
                  "The maximum number of installations that can be updated at one time when a "
                  "group is updated")
      ->capture_default_str();
  AddStringArray(cmd, "mattermost-env", f->mattermost_env,
                 "Env vars to add to the Mattermost App. Accepts format: KEY_NAME=VALUE. Use the "
                 "flag multiple times to set multiple env vars.");
  cmd->add_option("--scheduling", f->scheduling,
                  "Scheduling configuration as JSON string containing nodeSelector and "
                  "tolerations for pod placement.");
  AddStringArray(cmd, "annotation", f->annotations,
                 "Annotations for a group used for automatic group selection. Accepts multiple "
                 "values, for example: '... --annotation abc --annotation def'");
}

void AddUpdate(CommandGroup& group) {
  struct Flags {
    std::string group;
    std::string name;
    std::string description;
    std::string version;
    std::string image;
    int64_t max_rolling = 0;
    std::vector<std::string> mattermost_env;
    bool mattermost_env_clear = false;
    std::string scheduling;
    bool force_sequence_update = false;
    bool force_installation_restart = false;
  };
  auto f = std::make_shared<Flags>();
  CLI::App* cmd = group.AddCommand(
      "update", "Update the group metadata.", [f](CommandContext& ctx) -> Result<void> {
        Result<std::optional<model::EnvVarMap>> env =
            ParseEnvVarInput(f->mattermost_env, f->mattermost_env_clear);
        if (!env) return env.error().WithContext("failed to parse env var input");
        model::PatchGroupRequest request;
        request.id = f->group;
        request.mattermost_env = std::move(*env);
        request.force_sequence_update = f->force_sequence_update;
        request.force_installations_restart = f->force_installation_restart;
        if (ctx.Changed("name")) request.name = f->name;
        if (ctx.Changed("description")) request.description = f->description;
        if (ctx.Changed("max-rolling")) request.max_rolling = f->max_rolling;
        if (ctx.Changed("version")) request.version = f->version;
        if (ctx.Changed("image")) request.image = f->image;
        if (ctx.Changed("scheduling") && !f->scheduling.empty()) {
          CLOUD_TRY(request.scheduling, ParseScheduling(f->scheduling));
        }
        if (ctx.DryRun(request)) return Ok();
        Result<model::GroupDTO> updated = ctx.client().UpdateGroup(request);
        if (!updated) return updated.error().WithContext("failed to update group");
        ctx.PrintJson(*updated);
        return Ok();
      });
  cmd->add_option("--group", f->group, "The id of the group to be updated.")->required();
  cmd->add_option("--name", f->name, "A unique name describing this group of installations.");
  cmd->add_option("--description", f->description,
                  "An optional description for this group of installations.");
  cmd->add_option("--version", f->version,
                  "The Mattermost version for installations in this group to target.");
  cmd->add_option("--image", f->image, "The Mattermost container image to use.");
  cmd->add_option("--max-rolling", f->max_rolling,
                  "The maximum number of installations that can be updated at one time when a "
                  "group is updated")
      ->capture_default_str();
  AddStringArray(cmd, "mattermost-env", f->mattermost_env,
                 "Env vars to add to the Mattermost App. Accepts format: KEY_NAME=VALUE. Use the "
                 "flag multiple times to set multiple env vars.");
  cmd->add_flag("--mattermost-env-clear", f->mattermost_env_clear, "Clears all env var data.");
  cmd->add_option("--scheduling", f->scheduling,
                  "Scheduling configuration as JSON string containing nodeSelector and "
                  "tolerations for pod placement.");
  cmd->add_flag("--force-sequence-update", f->force_sequence_update,
                "Forces the group version sequence to be increased by 1 even when no updates are "
                "present.");
  cmd->add_flag("--force-installation-restart", f->force_installation_restart,
                "Forces the restart of all installations in the group even if Mattermost CR does "
                "not change.");
}

void AddSimple(CommandGroup& group) {
  auto delete_id = std::make_shared<std::string>();
  CLI::App* del = group.AddCommand("delete", "Delete a group.",
                                   [delete_id](CommandContext& ctx) -> Result<void> {
                                     Result<void> r = ctx.client().DeleteGroup(*delete_id);
                                     if (!r) return r.error().WithContext("failed to delete group");
                                     return Ok();
                                   });
  del->add_option("--group", *delete_id, "The id of the group to be deleted.")->required();

  auto get_id = std::make_shared<std::string>();
  CLI::App* get = group.AddCommand(
      "get", "Get a particular group.", [get_id](CommandContext& ctx) -> Result<void> {
        Result<std::optional<model::GroupDTO>> found = ctx.client().GetGroup(*get_id);
        if (!found) return found.error().WithContext("failed to query group");
        if (*found) ctx.PrintJson(**found);
        return Ok();
      });
  get->add_option("--group", *get_id, "The id of the group to be fetched.")->required();

  struct ListFlags {
    PagingFlags paging;
    bool table = false;
    bool with_installation_count = false;
  };
  auto l = std::make_shared<ListFlags>();
  CLI::App* list =
      group.AddCommand("list", "List created groups.", [l](CommandContext& ctx) -> Result<void> {
        client::GetGroupsRequest request;
        request.paging = l->paging.ToPaging();
        request.with_installation_count = l->with_installation_count;
        Result<std::vector<model::GroupDTO>> groups = ctx.client().GetGroups(request);
        if (!groups) return groups.error().WithContext("failed to query groups");
        if (!l->table) {
          ctx.PrintJson(*groups);
          return Ok();
        }
        Table table;
        table.headers = {"ID", "NAME", "SEQ", "ROL", "IMAGE", "VERSION", "ENV?"};
        for (const model::GroupDTO& dto : *groups) {
          const model::Group& g = dto.group;
          const bool has_env = g.mattermost_env && !g.mattermost_env->empty();
          table.rows.push_back({g.id, g.name, std::to_string(g.sequence),
                                std::to_string(g.max_rolling), g.image, g.version,
                                has_env ? "yes" : "no"});
        }
        ctx.out() << RenderTable(table);
        return Ok();
      });
  AddPagingFlags(list, l->paging);
  list->add_flag("--table", l->table,
                 "Whether to display the returned group list in a table or not");
  list->add_flag("--include-installation-count", l->with_installation_count,
                 "Whether to retrieve the installation count for the groups");

  auto status_id = std::make_shared<std::string>();
  CLI::App* status = group.AddCommand(
      "status", "Get a particular group's status.",
      [status_id](CommandContext& ctx) -> Result<void> {
        Result<std::optional<model::GroupStatus>> found = ctx.client().GetGroupStatus(*status_id);
        if (!found) return found.error().WithContext("failed to query group status");
        if (*found) ctx.PrintJson(**found);
        return Ok();
      });
  status
      ->add_option("--group", *status_id,
                   "The id of the group of which the status should be fetched.")
      ->required();

  struct JoinFlags {
    std::string group;
    std::string installation;
  };
  auto j = std::make_shared<JoinFlags>();
  CLI::App* join = group.AddCommand(
      "join", "Join an installation to the given group, leaving any existing group.",
      [j](CommandContext& ctx) -> Result<void> {
        Result<void> r = ctx.client().JoinGroup(j->group, j->installation);
        if (!r) return r.error().WithContext("failed to join group");
        return Ok();
      });
  join->add_option("--group", j->group,
                   "The id of the group to which the installation will be added.")
      ->required();
  join->add_option("--installation", j->installation,
                   "The id of the installation to add to the group.")
      ->required();

  struct AssignFlags {
    std::string installation;
    std::vector<std::string> annotations;
  };
  auto a = std::make_shared<AssignFlags>();
  CLI::App* assign = group.AddCommand(
      "assign",
      "Assign an installation to the group based on annotations, leaving any existing group.",
      [a](CommandContext& ctx) -> Result<void> {
        model::AssignInstallationGroupRequest request;
        request.group_selection_annotations = a->annotations;
        Result<void> r = ctx.client().AssignGroup(a->installation, request);
        if (!r) return r.error().WithContext("failed to assign group");
        return Ok();
      });
  assign
      ->add_option("--installation", a->installation,
                   "The id of the installation to assign to the group.")
      ->required();
  AddStringArray(assign, "group-selection-annotation", a->annotations,
                 "Group annotations based on which the installation should be assigned.")
      ->required();

  struct LeaveFlags {
    std::string installation;
    bool retain_config = true;
  };
  auto lv = std::make_shared<LeaveFlags>();
  CLI::App* leave = group.AddCommand("leave", "Remove an installation from its group, if any.",
                                     [lv](CommandContext& ctx) -> Result<void> {
                                       client::LeaveGroupRequest request;
                                       request.retain_config = lv->retain_config;
                                       Result<void> r =
                                           ctx.client().LeaveGroup(lv->installation, request);
                                       if (!r)
                                         return r.error().WithContext("failed to leave group");
                                       return Ok();
                                     });
  leave
      ->add_option("--installation", lv->installation,
                   "The id of the installation to leave its currently configured group.")
      ->required();
  leave
      ->add_flag("--retain-config", lv->retain_config,
                 "Whether to retain the group configuration values or not.")
      ->capture_default_str();

  group.AddCommand("statuses", "Get Status from all groups.",
                   [](CommandContext& ctx) -> Result<void> {
                     Result<std::optional<std::vector<model::GroupsStatus>>> statuses =
                         ctx.client().GetGroupsStatus();
                     if (!statuses) {
                       return statuses.error().WithContext("failed to query group status");
                     }
                     if (*statuses) ctx.PrintJson(**statuses);
                     return Ok();
                   });
}

void AddAnnotation(CommandGroup& parent) {
  CommandGroup group = parent.AddGroup(
      "annotation", "Manipulate annotations of group managed by the provisioning server.");
  struct AddFlags {
    std::string group;
    std::vector<std::string> annotations;
  };
  auto a = std::make_shared<AddFlags>();
  CLI::App* add = group.AddCommand(
      "add", "Adds annotations to the group.", [a](CommandContext& ctx) -> Result<void> {
        model::AddAnnotationsRequest request;
        request.annotations = a->annotations;
        if (ctx.DryRun(request)) return Ok();
        Result<model::GroupDTO> updated = ctx.client().AddGroupAnnotations(a->group, request);
        if (!updated) return updated.error().WithContext("failed to add group annotations");
        ctx.PrintJson(*updated);
        return Ok();
      });
  add->add_option("--group", a->group, "The id of the group to be annotated.")->required();
  AddStringArray(add, "annotation", a->annotations,
                 "Additional annotations for the group. Accepts multiple values, for example: "
                 "'... --annotation abc --annotation def'")
      ->required();

  struct DeleteFlags {
    std::string group;
    std::string annotation;
  };
  auto d = std::make_shared<DeleteFlags>();
  CLI::App* del = group.AddCommand(
      "delete", "Deletes Annotation from the group.", [d](CommandContext& ctx) -> Result<void> {
        Result<void> r = ctx.client().DeleteGroupAnnotation(d->group, d->annotation);
        if (!r) return r.error().WithContext("failed to delete group annotation");
        return Ok();
      });
  del->add_option("--group", d->group,
                  "The id of the group from which annotations should be removed.")
      ->required();
  del->add_option("--annotation", d->annotation,
                  "Name of the annotation to be removed from the group.")
      ->required();
}

}  // namespace

void AddGroupCommands(const std::shared_ptr<Cli>& cli, CLI::App& root) {
  CommandGroup group = CommandGroup::Add(cli, root, "group",
                                         "Manipulate groups managed by the provisioning server.");
  AddCreate(group);
  AddUpdate(group);
  AddSimple(group);
  AddAnnotation(group);
}

}  // namespace cloud::cli
