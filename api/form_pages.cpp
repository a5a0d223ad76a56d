// The public forms as server-rendered HTML: they work without JavaScript;
// /formulare.js only adds the proof of work, upload progress and answers
// shown in place. Everything from a definition or a submitter is escaped.
#include <openssl/rand.h>

#include "api/form_routes.h"
#include "base/clock.h"
#include "base/sha256.h"
#include "index/snippet.h"

namespace dosar::api {
namespace {

using forms::FieldType;
using forms::FormDefinition;
using forms::FormField;

std::string page(const std::string& title, const std::string& body) {
  return "<!doctype html>\n<html lang=\"ro\">\n<head>\n<meta charset=\"utf-8\">\n"
         "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>" +
         html_escape(title) +
         "</title>\n<link rel=\"stylesheet\" href=\"/style.css\">\n<script src=\"/formulare.js\" "
         "defer></script>\n"
         "</head>\n<body class=\"public\">\n<header><a class=\"brand\" href=\"/formulare\">Formulare "
         "online</a>\n"
         "<nav aria-label=\"Pagini publice\"><a href=\"/formulare\">Formulare</a> "
         "<a href=\"/stare.html\">Stadiul cererii</a></nav></header>\n<main>\n" +
         body + "</main>\n</body>\n</html>\n";
}

std::string attribute(const char* name, const std::string& value) {
  return std::string(" ") + name + "=\"" + html_escape(value) + "\"";
}

std::string value_of(const std::map<std::string, std::string>& values, const std::string& name) {
  auto it = values.find(name);
  return it == values.end() ? std::string() : it->second;
}

std::string field_html(const FormField& f, const std::string& value, const std::optional<Error>& error) {
  const std::string id = "f-" + f.name;
  bool wrong = error && error->subject == f.name;
  std::string described = "e-" + f.name + (f.help.empty() ? "" : " h-" + f.name);
  std::string common = attribute("id", id) + attribute("name", f.name) +
                       attribute("aria-describedby", described) + (f.required ? " required" : "") +
                       (wrong ? " aria-invalid=\"true\"" : "");
  std::string label = "<label for=\"" + id + "\">" + html_escape(f.label) +
                      (f.required ? " <span class=\"req\">(obligatoriu)</span>" : "") + "</label>\n";
  std::string control;
  switch (f.type) {
    case FieldType::textarea:
      control = "<textarea" + common + attribute("maxlength", std::to_string(f.max_length)) + " rows=\"8\">" +
                html_escape(value) + "</textarea>\n";
      break;
    case FieldType::select: {
      control = "<select" + common + ">\n<option value=\"\">— alegeți —</option>\n";
      for (const auto& o : f.options)
        control += "<option" + attribute("value", o.value) + (o.value == value ? " selected" : "") + ">" +
                   html_escape(o.label) + "</option>\n";
      control += "</select>\n";
      break;
    }
    case FieldType::checkbox:
      control = "<input type=\"checkbox\"" + common + (value.empty() ? "" : " checked") + ">\n";
      break;
    default: {
      const char* type = f.type == FieldType::email  ? "email"
                         : f.type == FieldType::tel  ? "tel"
                         : f.type == FieldType::date ? "date"
                                                     : "text";
      control = std::string("<input type=\"") + type + "\"" + common +
                attribute("maxlength", std::to_string(f.max_length)) + attribute("value", value) + ">\n";
    }
  }
  std::string help =
      f.help.empty() ? "" : "<p class=\"help\" id=\"h-" + f.name + "\">" + html_escape(f.help) + "</p>\n";
  std::string problem = "<p class=\"field-error\" id=\"e-" + f.name + "\">" +
                        (wrong ? html_escape(error->message) : std::string()) + "</p>\n";
  return "<div class=\"field\">\n" + label + control + help + problem + "</div>\n";
}

std::string random_key() {
  unsigned char raw[16];
  if (RAND_bytes(raw, sizeof raw) != 1) return "";
  return to_hex(std::string_view(reinterpret_cast<const char*>(raw), sizeof raw));
}

}  // namespace

std::string forms_list_page(const PublicForms& forms) {
  std::string body =
      "<h1>Formulare online</h1>\n<p>Alegeți formularul potrivit. Primiți pe loc numărul de înregistrare, "
      "termenul de răspuns și un cod de acces cu care urmăriți cererea.</p>\n<ul class=\"form-list\">\n";
  for (const FormDefinition& f : forms.definitions)
    body += "<li><a" + attribute("href", "/formulare/" + f.id) + ">" + html_escape(f.title) + "</a><p>" +
            html_escape(f.description) + "</p></li>\n";
  return page("Formulare online", body + "</ul>\n");
}

std::string form_page(const PublicForms& forms, const FormDefinition& form,
                      const std::map<std::string, std::string>& values, const std::optional<Error>& error) {
  std::string body =
      "<p><a href=\"/formulare\">← toate formularele</a></p>\n<h1>" + html_escape(form.title) + "</h1>\n";
  if (!form.description.empty()) body += "<p>" + html_escape(form.description) + "</p>\n";
  body += "<p class=\"note\">Câmpurile marcate „(obligatoriu)” trebuie completate.</p>\n";
  bool field_error =
      error && (form.field(error->subject) || error->subject == "consent" || error->subject == "files");
  bool general = error && (error->subject == "form" || error->subject == "rate" ||
                           error->subject == "request" || error->subject == "proof of work");
  body +=
      "<p id=\"form-error\" class=\"error\" role=\"alert\">" +
      (error && !field_error ? html_escape(general ? error->message : error->subject + ": " + error->message)
                             : std::string()) +
      "</p>\n";
  body +=
      "<form id=\"public-form\" method=\"post\" action=\"/formulare/trimite\" "
      "enctype=\"multipart/form-data\"" +
      attribute("data-form", form.id) + ">\n";
  body += "<input type=\"hidden\" name=\"form\"" + attribute("value", form.id) + ">\n";
  for (const FormField& f : form.fields) body += field_html(f, value_of(values, f.name), error);
  if (form.attachments.max_files > 0) {
    std::string accept;
    for (const std::string& m : form.attachments.accept) accept += (accept.empty() ? "" : ",") + m;
    body += "<div class=\"field\">\n<label for=\"f-files\">" + html_escape(form.attachments.label) +
            (form.attachments.required ? " <span class=\"req\">(obligatoriu)</span>" : "") +
            "</label>\n<input type=\"file\" id=\"f-files\" name=\"files\" multiple "
            "aria-describedby=\"h-files e-files\"" +
            attribute("accept", accept) + (form.attachments.required ? " required" : "") + ">\n" +
            "<p class=\"help\" id=\"h-files\">" +
            html_escape((form.attachments.help.empty() ? "" : form.attachments.help + " ") + "Cel mult " +
                        std::to_string(form.attachments.max_files) + " fișiere, fiecare de cel mult " +
                        std::to_string(forms.limits.max_file_bytes >> 20) + " MB.") +
            "</p>\n<p class=\"field-error\" id=\"e-files\">" +
            (error && error->subject == "files" ? html_escape(error->message) : "") + "</p>\n</div>\n";
  }
  // A field people never see; programs that fill every field give themselves away.
  body +=
      "<div class=\"hp\"><label for=\"f-website\">Nu completați acest câmp</label>"
      "<input type=\"text\" id=\"f-website\" name=\"website\" tabindex=\"-1\" autocomplete=\"off\"></div>\n";
  body += "<input type=\"hidden\" name=\"idempotency_key\"" + attribute("value", random_key()) + ">\n";
  body += "<input type=\"hidden\" name=\"pow_challenge\"" +
          attribute("value", forms.proof_of_work ? forms.proof_of_work->challenge() : "") + ">\n";
  body += "<input type=\"hidden\" name=\"pow_nonce\" value=\"\">\n";
  bool consent_error = error && error->subject == "consent";
  body +=
      "<fieldset class=\"notice\">\n<legend>Protecția datelor personale</legend>\n<p id=\"notice-text\">" +
      html_escape(form.notice) + "</p>\n<div class=\"check\"><input type=\"checkbox\" id=\"f-consent\" " +
      "name=\"consent\" required aria-describedby=\"notice-text e-consent\"" +
      (consent_error ? " aria-invalid=\"true\"" : "") +
      (value_of(values, "consent").empty() ? "" : " checked") +
      "> <label for=\"f-consent\">Am citit informarea (versiunea " + html_escape(form.notice_version) +
      ") și sunt de acord cu prelucrarea datelor pentru această cerere.</label></div>\n" +
      "<p class=\"field-error\" id=\"e-consent\">" + (consent_error ? html_escape(error->message) : "") +
      "</p>\n</fieldset>\n";
  body += "<button type=\"submit\">Trimite</button>\n";
  body +=
      "<div id=\"progress\" hidden><label for=\"upload-progress\">Se trimite…</label> "
      "<progress id=\"upload-progress\" max=\"100\" value=\"0\"></progress></div>\n</form>\n";
  body += "<section id=\"result\" hidden aria-live=\"polite\"></section>\n";
  return page(form.title + " — formulare online", body);
}

std::string confirmation_page(const nlohmann::json& answer) {
  auto text = [&](const char* key) {
    return answer.contains(key) && answer[key].is_string() ? answer[key].get<std::string>() : std::string();
  };
  std::string body =
      "<h1>Cererea a fost înregistrată</h1>\n<div id=\"confirmation\" class=\"confirmation\">\n<dl>\n";
  body += "<dt>Număr de înregistrare</dt><dd id=\"c-number\">" + html_escape(text("number")) + "</dd>\n";
  body += "<dt>Termen de răspuns</dt><dd id=\"c-deadline\">" + html_escape(romanian_date(text("deadline"))) +
          "</dd>\n";
  if (!text("access_code").empty())
    body += "<dt>Cod de acces</dt><dd id=\"c-code\">" + html_escape(text("access_code")) + "</dd>\n";
  body += "</dl>\n";
  if (!text("access_code").empty())
    body +=
        "<p>Păstrați numărul și codul de acces: cu ele urmăriți cererea și adăugați documente. "
        "Codul nu mai poate fi afișat altă dată.</p>\n<p><a id=\"c-receipt\"" +
        attribute("href", text("receipt_url")) + ">Descărcați recipisa (PDF)</a></p>\n";
  else
    body += "<p>Cererea fusese deja înregistrată; codul de acces este pe prima recipisă.</p>\n";
  body +=
      "<p><a href=\"/stare.html\">Stadiul cererii</a> · <a href=\"/formulare\">Alt "
      "formular</a></p>\n</div>\n";
  return page("Cererea a fost înregistrată", body);
}

std::string message_page(const std::string& title, const std::string& message) {
  return page(title, "<h1>" + html_escape(title) + "</h1>\n<p class=\"error\" role=\"alert\">" +
                         html_escape(message) +
                         "</p>\n<p><a href=\"/formulare\">Înapoi la formulare</a></p>\n");
}

}  // namespace dosar::api
