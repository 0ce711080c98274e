// Raw e-mail (RFC 822 headers + a possibly MIME-encoded body) -> plain text,
// for the spam classification data set (PAPER.md section 5, "classify";
// attn/data/spam_assassin.h). Steps of clean_message(): drop the mail headers
// (up to the first blank line); in MIME multipart bodies drop the preamble,
// boundary lines, part headers, epilogue and non-text parts; decode base64 and
// quoted-printable text parts; make the bytes valid UTF-8 (stray bytes read as
// Latin-1); strip HTML tags, comments, <style>/<script> contents and entities;
// collapse whitespace. Charsets other than UTF-8/Latin-1 are not converted.
#pragma once

#include <string>

namespace attn::data {

/// Everything after the first blank line ("" when there is none).
std::string strip_mail_headers(const std::string& message);

/// The readable text of a message body given its top-level headers: MIME
/// preamble, boundary lines, part headers, epilogue and non-text parts
/// removed; base64 and quoted-printable text parts decoded. A non-MIME body is
/// decoded per its Content-Transfer-Encoding ("" if it is not text).
std::string extract_mime_text(const std::string& headers, const std::string& body);

/// Removes HTML/XML markup: comments, <style>/<script> elements with their
/// content, and tags (each becomes a space); decodes &amp; &lt; &gt; &quot;
/// &apos; &nbsp; and numeric entities; other named entities become a space.
/// A '<' that does not start a tag within 1000 characters is kept as text.
std::string strip_html(const std::string& text);

/// Replaces every run of whitespace/control characters by one space; trims.
std::string collapse_whitespace_and_controls(const std::string& text);

/// The full cleaning pipeline on a raw message (see the file comment).
std::string clean_message(const std::string& raw);

}  // namespace attn::data
