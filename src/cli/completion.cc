// Completion script generation.
#include "cli/completion.h"

#include <vector>

namespace cloud::cli {
namespace {

struct Entry {
  std::string path;  // "cloud cluster installation"
  std::string subcommands;
  std::string flags;
};

std::string OptionNames(CLI::App& app) {
  std::string out;
  for (CLI::Option* opt : app.get_options()) {
    if (opt->get_positional()) continue;
    for (const std::string& name : opt->get_lnames()) out += " --" + name;
    for (const std::string& name : opt->get_snames()) out += " -" + name;
  }
  return out;
}

void Collect(CLI::App& app, const std::string& path, const std::string& inherited_flags,
             std::vector<Entry>& out) {
  std::string flags = inherited_flags + OptionNames(app);
  Entry entry;
  entry.path = path;
  entry.flags = flags;
  std::vector<CLI::App*> subs = app.get_subcommands({});
  for (CLI::App* sub : subs) {
    if (sub->get_name().empty()) continue;
    entry.subcommands += (entry.subcommands.empty() ? "" : " ") + sub->get_name();
  }
  out.push_back(entry);
  for (CLI::App* sub : subs) {
    if (sub->get_name().empty()) continue;
    Collect(*sub, path + " " + sub->get_name(), flags, out);
  }
}

std::string Quote(std::string_view text) {
  std::string out = "'";
  for (char c : text) {
    if (c == '\'') {
      out += "'\\''";
    } else {
      out += c;
    }
  }
  return out + "'";
}

std::string FunctionName(std::string_view program) {
  std::string out = "_";
  for (char c : program) out += (std::isalnum(static_cast<unsigned char>(c)) ? c : '_');
  return out + "_completions";
}

}  // namespace

std::string BashCompletionScript(CLI::App& root, std::string_view program) {
  std::vector<Entry> entries;
  Collect(root, std::string(program), "", entries);
  const std::string fn = FunctionName(program);
  std::string out;
  out += "# bash completion for " + std::string(program) + "; generated from the command tree.\n";
  out += "# Load it with: source <(" + std::string(program) + " completion bash)\n";
  out += fn + "() {\n";
  out += "  local -A cmds flags\n";
  for (const Entry& e : entries) {
    out += "  cmds[" + Quote(e.path) + "]=" + Quote(e.subcommands) + "\n";
    out += "  flags[" + Quote(e.path) + "]=" + Quote(e.flags) + "\n";
  }
  out += "  local cur=\"${COMP_WORDS[COMP_CWORD]}\" path=" + Quote(program) + " w i next\n";
  out += "  for ((i = 1; i < COMP_CWORD; i++)); do\n";
  out += "    w=\"${COMP_WORDS[i]}\"\n";
  out += "    [[ \"$w\" == -* ]] && continue\n";
  out += "    next=\"$path $w\"\n";
  out += "    [[ -n \"${cmds[$next]+x}\" ]] && path=\"$next\"\n";
  out += "  done\n";
  out += "  if [[ \"$cur\" == -* ]]; then\n";
  out += "    COMPREPLY=($(compgen -W \"${flags[$path]}\" -- \"$cur\"))\n";
  out += "  else\n";
  out += "    COMPREPLY=($(compgen -W \"${cmds[$path]}\" -- \"$cur\"))\n";
  out += "  fi\n";
  out += "}\n";
  out += "complete -F " + fn + " " + std::string(program) + "\n";
  return out;
}

std::string ZshCompletionScript(CLI::App& root, std::string_view program) {
  std::string out = "#compdef " + std::string(program) + "\n";
  out += "# zsh completion for " + std::string(program) + " (bash completion via bashcompinit).\n";
  out += "# Load it with: source <(" + std::string(program) + " completion zsh)\n";
  out += "autoload -U +X bashcompinit && bashcompinit\n";
  out += BashCompletionScript(root, program);
  return out;
}

}  // namespace cloud::cli
