"""The tables: one row per distinct article, one per place it came from."""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    PrimaryKeyConstraint,
    String,
    Table,
    Text,
    UniqueConstraint,
    and_,
    func,
    or_,
)

metadata = MetaData()

articles = Table(
    "articles",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    # sha256 of the normalised body: exact duplicates share it and are stored once
    Column("content_hash", String(64), nullable=False, unique=True),
    Column("title", Text, nullable=False, default=""),
    Column("text", Text, nullable=False, default=""),
    Column("url", Text),
    Column("source", String(200), index=True),
    Column("category", String(100), index=True),
    Column("lang", String(8), index=True),
    Column("lang_confidence", Float),
    Column("published", DateTime, index=True),
    Column("published_from", String(16)),
    Column("event_date", Date),
    Column("author", Text),
    Column("attribution", Text),
    Column("encoding", String(40)),
    Column("dates", JSON, nullable=False, default=list),
    Column("meta", JSON, nullable=False, default=dict),
    Column("origin", Text, nullable=False),  # the first place it was seen
    Column("created_at", DateTime, nullable=False),
)

origins = Table(
    "origins",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("article_id", Integer, ForeignKey("articles.id", ondelete="CASCADE"), nullable=False, index=True),
    # sha256 of origin + raw hash: the same input read again is recognised before any work
    Column("origin_key", String(64), nullable=False, unique=True),
    Column("origin", Text, nullable=False),
    Column("format", String(16), nullable=False),
    Column("url", Text),
    Column("raw_hash", String(64), nullable=False),
    Column("ingested_at", DateTime, nullable=False),
)

Index("ix_articles_published_id", articles.c.published, articles.c.id)
# the sources' health counts each source's articles, all and the last days', from it (migration 0020)
Index("ix_articles_source_created", articles.c.source, articles.c.created_at)


def article_time():
    """When an article was published, or stored when its date is unknown: the time windows use."""
    return func.coalesce(articles.c.published, articles.c.created_at)


def article_time_in(start, end):
    """`start <= article_time() < end`, written so that both databases answer it from the index on
    `published` (a range, or IS NULL for the undated) instead of computing the coalesce for every
    article: on 100k articles 1 ms instead of 90 ms (SQLite)."""
    return or_(
        and_(articles.c.published >= start, articles.c.published < end),
        and_(articles.c.published.is_(None), articles.c.created_at >= start, articles.c.created_at < end),
    )


# -- watching the web (migration 0003) ----------------------------------------------------------

sources = Table(
    "sources",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("name", String(200), nullable=False, unique=True),
    Column("home", Text, nullable=False),
    Column("feeds", JSON, nullable=False, default=list),
    Column("sitemaps", JSON, nullable=False, default=list),
    Column("country", String(2)),
    Column("languages", JSON, nullable=False, default=list),
    Column("media_type", String(20)),
    Column("origin", String(20)),  # domestic | foreign | diaspora | international
    Column("poll_minutes", Integer, nullable=False, default=30),
    Column("enabled", Boolean, nullable=False, default=True),
    Column("allow_private", Boolean, nullable=False, default=False),
    Column("notes", Text),
    Column("created_at", DateTime, nullable=False),
    Column("updated_at", DateTime, nullable=False),
    # health, kept by the watcher
    Column("next_poll_at", DateTime),
    Column("last_polled_at", DateTime),
    Column("last_success_at", DateTime),
    Column("last_error", Text),
    Column("last_error_at", DateTime),
    Column("failures", Integer, nullable=False, default=0),  # consecutive failed polls
    # where its articles are recognised (migration 0018): "host" or "host/path", see SourceSpec
    Column("domains", JSON, nullable=False, default=list),
)

# One row per feed or sitemap URL of a source: conditional-GET validators and its own health.
listings = Table(
    "listings",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("source_id", Integer, ForeignKey("sources.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("url", Text, nullable=False),
    Column("kind", String(10), nullable=False),  # feed | sitemap
    Column("etag", Text),
    Column("last_modified", Text),
    Column("last_status", Integer),
    Column("last_fetched_at", DateTime),
    Column("last_success_at", DateTime),
    Column("last_error", Text),
    Column("failures", Integer, nullable=False, default=0),
    Column("last_links", Integer),
    UniqueConstraint("source_id", "url", name="uq_listings_source_url"),
)

# Every article URL ever discovered or fetched, canonicalised: the fetch queue and its memory.
pages = Table(
    "pages",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("url_key", String(64), nullable=False, unique=True),
    Column("url", Text, nullable=False),
    Column("source_id", Integer, ForeignKey("sources.id", ondelete="SET NULL"), index=True),
    Column("state", String(10), nullable=False),  # pending | done | failed | skipped
    Column("attempts", Integer, nullable=False, default=0),
    Column("discovered_at", DateTime, nullable=False),
    Column("next_attempt_at", DateTime),
    Column("fetched_at", DateTime),
    Column("http_status", Integer),
    Column("final_url", Text),
    Column("content_type", String(100)),
    Column("charset", String(40)),
    Column("raw_hash", String(64)),
    Column("article_id", Integer, ForeignKey("articles.id", ondelete="SET NULL"), index=True),
    Column("error", Text),
    Column("title_hint", Text),  # what the feed or sitemap said
    Column("published_hint", DateTime),
)
Index("ix_pages_state_next", pages.c.state, pages.c.next_attempt_at)

# The fetched bytes, gzip-compressed and addressed by the sha256 of the uncompressed bytes.
raw_pages = Table(
    "raw_pages",
    metadata,
    Column("sha256", String(64), primary_key=True),
    Column("size", Integer, nullable=False),
    Column("body", LargeBinary, nullable=False),
    Column("stored_at", DateTime, nullable=False),
)

# -- enrichment (migration 0004) ----------------------------------------------------------------

# What the enrichment stages found in an article, and with which version of them.
enrichments = Table(
    "enrichments",
    metadata,
    Column("article_id", Integer, ForeignKey("articles.id", ondelete="CASCADE"), primary_key=True),
    Column("version", Integer, nullable=False),
    Column("enriched_at", DateTime, nullable=False),
    Column("data", JSON, nullable=False),  # doc_refs, entities, topics… as `caunoi show --json` gives them
)
Index("ix_enrichments_enriched_at", enrichments.c.enriched_at)  # migration 0008

# The searchable side of it: one row per (article, kind, value), e.g. ("doc_ref", "57-KL/TW").
article_tags = Table(
    "article_tags",
    metadata,
    Column("article_id", Integer, ForeignKey("articles.id", ondelete="CASCADE"), nullable=False),
    Column("kind", String(20), nullable=False),
    Column("value", String(300), nullable=False),
    Column("score", Float, nullable=False),
    PrimaryKeyConstraint("article_id", "kind", "value", name="pk_article_tags"),
)
Index("ix_article_tags_kind_value", article_tags.c.kind, article_tags.c.value)

# -- duplicates and stories (migration 0005) ----------------------------------------------------

# The MinHash signature of each article's body (folded word shingles), kept so a later article can
# be compared with it; `shingles` is the size of the shingle set (for containment).
signatures = Table(
    "signatures",
    metadata,
    Column("article_id", Integer, ForeignKey("articles.id", ondelete="CASCADE"), primary_key=True),
    Column("hashes", LargeBinary, nullable=False),
    Column("shingles", Integer, nullable=False),
)

# LSH: one row per band of each signature; articles sharing a (band, key) are candidate duplicates.
signature_bands = Table(
    "signature_bands",
    metadata,
    Column("band", Integer, nullable=False),
    Column("key", String(16), nullable=False),
    Column("article_id", Integer, ForeignKey("articles.id", ondelete="CASCADE"), nullable=False, index=True),
)
Index("ix_signature_bands_band_key", signature_bands.c.band, signature_bands.c.key)

# A near-duplicate (reprint, syndicated copy) and the earliest copy it repeats.
duplicates = Table(
    "duplicates",
    metadata,
    Column("article_id", Integer, ForeignKey("articles.id", ondelete="CASCADE"), primary_key=True),
    Column("original_id", Integer, ForeignKey("articles.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("jaccard", Float, nullable=False),
    Column("containment", Float, nullable=False),
)

stories = Table(
    "stories",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("title", Text, nullable=False, default=""),
    Column("summary", JSON, nullable=False, default=list),  # sentences, with the article each is from
    Column("first_seen", DateTime, nullable=False),  # publication time of its first and last article
    Column("last_seen", DateTime, nullable=False, index=True),
    Column("articles", Integer, nullable=False, default=0),  # distinct articles, reprints not counted
    Column("reprints", Integer, nullable=False, default=0),
    Column("active", Boolean, nullable=False, default=True),
    Column("state", JSON, nullable=False, default=dict),  # the clusterer's profile of the story
    Column("created_at", DateTime, nullable=False),
    Column("updated_at", DateTime, nullable=False),
)

story_articles = Table(
    "story_articles",
    metadata,
    Column("article_id", Integer, ForeignKey("articles.id", ondelete="CASCADE"), primary_key=True),
    Column("story_id", Integer, ForeignKey("stories.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("similarity", Float, nullable=False),  # to the story when it joined; 1.0 for the first
    Column("assigned_at", DateTime, nullable=False),
)

# Small persistent state of the stateful stages (e.g. the clusterer's document frequencies).
stage_state = Table(
    "stage_state",
    metadata,
    Column("name", String(50), primary_key=True),
    Column("data", LargeBinary, nullable=False),
    Column("updated_at", DateTime, nullable=False),
)

# -- the search index beside the store (migration 0023; caunoi.store.search_index) ----------------

# One row (id 1): whether this store has a search index, where, and which build of it matches the store.
search_index_state = Table(
    "search_index_state",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=False),
    Column("enabled", Boolean, nullable=False, default=False),
    Column("generation", String(36)),  # the build the store expects; another build's index is not used
    Column("path", Text),
    Column("built_at", DateTime),  # UTC; None while a build runs
)

# The articles written, rewritten or removed since the index last took them (written in the same
# transaction as the change, while an index is on; deleted once the index has committed them).
search_outbox = Table(
    "search_outbox",
    metadata,
    Column("seq", Integer, primary_key=True, autoincrement=True),
    Column("article_id", Integer, nullable=False),
)

# -- alerts, notifications, cases, fact sheets (migration 0006) ---------------------------------

# A search kept under a name: the scope of alert rules, and a shortcut for people.
saved_searches = Table(
    "saved_searches",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("name", String(200), nullable=False, unique=True),
    Column("request", JSON, nullable=False),  # the SearchRequest fields (query, tags, lang, source…)
    Column("created_by", String(100)),
    Column("created_at", DateTime, nullable=False),
)

# Where notifications go besides the in-app inbox: an e-mail address or a webhook.
channels = Table(
    "channels",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("name", String(100), nullable=False, unique=True),
    Column("kind", String(10), nullable=False),  # email | webhook
    Column("target", Text, nullable=False),  # addresses (comma-separated) or the webhook URL
    Column("secret", Text),  # the webhook's HMAC key
    Column("allow_private", Boolean, nullable=False, default=False),  # a webhook on the local network
    Column("enabled", Boolean, nullable=False, default=True),
    Column("created_at", DateTime, nullable=False),
)

alert_rules = Table(
    "alert_rules",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("name", String(200), nullable=False, unique=True),
    # volume_spike | tone_spike | new_story | outlet | mention
    Column("kind", String(20), nullable=False),
    Column("scope", JSON, nullable=False),  # a search (query, filters) or {"saved": name} or {"story": id}
    Column("params", JSON, nullable=False),  # thresholds: z, min_count, window_hours, outlets, …
    Column("channels", JSON, nullable=False),  # channel names; the inbox always gets the alert
    Column("severity", String(10), nullable=False, default="medium"),
    Column("enabled", Boolean, nullable=False, default=True),
    Column("created_by", String(100)),
    Column("created_at", DateTime, nullable=False),
    Column("last_run_at", DateTime),
    Column("last_error", Text),  # why the rule could not run last time; None once it runs again
    Column("last_error_at", DateTime),
)

# The inbox: what the rules raised, and (rule_id empty, pack_id and unit set) the notices telling a
# unit that a pack was sent to it (migration 0012), one per pack and unit.
alerts = Table(
    "alerts",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("rule_id", Integer, ForeignKey("alert_rules.id", ondelete="CASCADE"), index=True),
    Column("story_id", Integer, ForeignKey("stories.id", ondelete="SET NULL")),
    Column("window_start", DateTime, nullable=False),
    Column("window_end", DateTime, nullable=False),
    Column("severity", String(10), nullable=False),
    Column("title", Text, nullable=False),
    Column("why", JSON, nullable=False),  # the figures behind it
    Column("digest", Boolean, nullable=False, default=False),  # one alert standing for several
    Column("state", String(10), nullable=False, default="new"),  # new | read | dismissed
    Column("created_at", DateTime, nullable=False, index=True),
    # a notice: the pack, and the unit it tells
    Column("pack_id", Integer, ForeignKey("packs.id", ondelete="CASCADE", name="fk_alerts_pack_id")),
    Column("unit", String(40), ForeignKey("units.code", ondelete="RESTRICT", name="fk_alerts_unit")),
    UniqueConstraint("pack_id", "unit", name="uq_alerts_pack_unit"),
)

# What each rule has already alerted on (rule, key): "one alert per story per rule per window".
alert_keys = Table(
    "alert_keys",
    metadata,
    Column("rule_id", Integer, ForeignKey("alert_rules.id", ondelete="CASCADE"), nullable=False),
    Column("key", String(200), nullable=False),
    Column("alert_id", Integer, ForeignKey("alerts.id", ondelete="CASCADE"), nullable=False),
    PrimaryKeyConstraint("rule_id", "key", name="pk_alert_keys"),
)

deliveries = Table(
    "deliveries",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("alert_id", Integer, ForeignKey("alerts.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("channel", String(100), nullable=False),
    Column("kind", String(10), nullable=False),
    Column("target", Text, nullable=False),
    Column("state", String(10), nullable=False),  # pending | sent | failed (given up)
    Column("attempts", Integer, nullable=False, default=0),
    Column("status", Integer),
    Column("error", Text),
    Column("created_at", DateTime, nullable=False),
    Column("last_attempt_at", DateTime),
    Column("delivered_at", DateTime),
)

# The units and missions cases are assigned to.
units = Table(
    "units",
    metadata,
    Column("code", String(40), primary_key=True),
    Column("name", Text, nullable=False),
    Column("kind", String(10), nullable=False),  # unit | mission
    Column("country", String(2)),  # a mission's seat
    Column("created_at", DateTime, nullable=False),
    Column("name_en", Text),
    Column("type", String(30)),  # embassy, consulate_general, …, press_agency (caunoi.units.UNIT_TYPES)
    Column("countries", JSON),  # every country a mission covers, its seat first (ISO 3166 codes)
    Column("city", Text),
    Column("languages", JSON),  # the host media's languages (ISO 639 codes)
    Column("website", Text),
    Column("updated_at", DateTime),
    Column("retired_at", DateTime),  # retired, not deleted: cases and users keep pointing at it
    Column("timezone", String(64)),  # IANA name (migration 0021); empty: its seat's (caunoi.timezones)
)

cases = Table(
    "cases",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("title", Text, nullable=False),
    Column("state", String(10), nullable=False, index=True),  # new | triaged | assigned | answered | closed
    Column("priority", String(10), nullable=False, default="normal"),  # low | normal | high | urgent
    Column("story_id", Integer, ForeignKey("stories.id", ondelete="SET NULL")),
    Column("alert_id", Integer, ForeignKey("alerts.id", ondelete="SET NULL")),
    Column("unit", String(40), ForeignKey("units.code", ondelete="RESTRICT")),
    Column("assignee", String(100)),
    Column("deadline", DateTime),
    Column("notes", Text),
    Column("created_by", String(100)),
    Column("created_at", DateTime, nullable=False),
    Column("updated_at", DateTime, nullable=False),
    Column("closed_at", DateTime),
)

# Information products (migration 0011: was fact_sheets): articles, videos, books, exhibitions,
# publications, official social posts — and the library's fact sheets and official positions, which
# cases are answered with. One table: a fact sheet is a product of kind fact_sheet or position.
products = Table(
    "products",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("title", Text, nullable=False),
    Column("kind", String(20), nullable=False),  # caunoi.outreach.products.PRODUCT_KINDS
    Column("lang", String(8), nullable=False),
    Column("body", Text, nullable=False),  # a fact sheet's text; a product's description ("" if none)
    Column("folded", Text, nullable=False),  # folded title + tags + body: what search matches
    Column("tags", JSON, nullable=False, default=list),
    Column("created_by", String(100)),
    Column("created_at", DateTime, nullable=False),
    Column("updated_at", DateTime, nullable=False),
    # (no ON DELETE: SQLite adds these to the renamed table inline, where its reflection cannot read one;
    # units are retired, never deleted, and a campaign with products is not deleted)
    Column("unit", String(40), ForeignKey("units.code"), index=True),  # who made it
    Column("campaign_id", Integer, ForeignKey("campaigns.id"), index=True),
    Column("audience", Text),
    Column("url", Text),
    Column("published_on", Date),
)

fact_sheet_stories = Table(
    "fact_sheet_stories",
    metadata,
    Column("fact_sheet_id", Integer, ForeignKey("products.id", ondelete="CASCADE"), nullable=False),
    Column("story_id", Integer, ForeignKey("stories.id", ondelete="CASCADE"), nullable=False),
    PrimaryKeyConstraint("fact_sheet_id", "story_id", name="pk_fact_sheet_stories"),
)

# How a case was answered: a statement, a fact sheet, an interview, an article.
case_responses = Table(
    "case_responses",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("case_id", Integer, ForeignKey("cases.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("kind", String(20), nullable=False),  # statement | fact_sheet | interview | article | other
    Column("title", Text, nullable=False),
    Column("url", Text),
    Column("fact_sheet_id", Integer, ForeignKey("products.id", ondelete="SET NULL")),
    Column("article_id", Integer, ForeignKey("articles.id", ondelete="SET NULL")),
    Column("note", Text),
    Column("created_by", String(100)),
    Column("created_at", DateTime, nullable=False),
)

# Who changed what, when: every change to cases, fact sheets, rules and channels.
audit_log = Table(
    "audit_log",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("at", DateTime, nullable=False, index=True),
    Column("actor", String(100), nullable=False),
    Column("entity", String(20), nullable=False),
    Column("entity_id", String(40), nullable=False),
    Column("action", String(30), nullable=False),
    Column("changes", JSON, nullable=False, default=dict),  # field -> [before, after]
)
Index("ix_audit_log_entity", audit_log.c.entity, audit_log.c.entity_id)

# -- users, sessions, API tokens (migration 0007) --------------------------------------------

# The people who use the web app and the API; a mission officer is bound to one mission.
users = Table(
    "users",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("username", String(100), nullable=False, unique=True),  # lower-case
    Column("display_name", Text),
    Column("password_hash", Text, nullable=False),  # argon2id, in its PHC string form
    Column("role", String(20), nullable=False),  # admin | analyst | mission_officer | viewer
    Column("mission", String(40), ForeignKey("units.code", ondelete="RESTRICT")),
    Column("lang", String(8), nullable=False, default="vi"),  # vi | en
    Column("disabled", Boolean, nullable=False, default=False),
    Column("failed_logins", Integer, nullable=False, default=0),  # in a row; a success resets it
    Column("locked_until", DateTime),
    Column("created_at", DateTime, nullable=False),
    Column("updated_at", DateTime, nullable=False),
    Column("last_login_at", DateTime),
    Column("password_changed_at", DateTime),
)

# Logged-in browsers: the id is the sha256 of the cookie's secret, which is never stored.
sessions = Table(
    "sessions",
    metadata,
    Column("id", String(64), primary_key=True),
    Column("user_id", Integer, ForeignKey("users.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("csrf_token", String(64), nullable=False),
    Column("created_at", DateTime, nullable=False),
    Column("last_seen_at", DateTime, nullable=False),
    Column("expires_at", DateTime, nullable=False),  # the absolute limit; idleness is checked apart
    Column("ip", Text),
    Column("user_agent", Text),
)

# Tokens for scripts calling the API: only their sha256 is kept; the token is shown once.
api_tokens = Table(
    "api_tokens",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("user_id", Integer, ForeignKey("users.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("name", String(100), nullable=False),
    Column("token_hash", String(64), nullable=False, unique=True),
    Column("prefix", String(8), nullable=False),  # the token's first characters, to recognise it
    Column("created_at", DateTime, nullable=False),
    Column("last_used_at", DateTime),
    Column("expires_at", DateTime),
    Column("revoked_at", DateTime),
)

# Every login attempt, for rate limiting by address and by username.
login_attempts = Table(
    "login_attempts",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("username", String(100), nullable=False),  # as typed (folded), even if no such user
    Column("ip", String(64), nullable=False),
    Column("at", DateTime, nullable=False),
    Column("ok", Boolean, nullable=False),
)
Index("ix_login_attempts_username_at", login_attempts.c.username, login_attempts.c.at)
Index("ix_login_attempts_ip_at", login_attempts.c.ip, login_attempts.c.at)
Index("ix_login_attempts_at", login_attempts.c.at)  # migration 0008: old attempts are deleted by date

# -- outreach: campaigns, information packs, products (above), activities (migration 0011) ---------

# A campaign or theme: a friendship year, an anniversary, a priority message, with its period.
campaigns = Table(
    "campaigns",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("code", String(40), nullable=False, unique=True),  # how imports and the CLI name it
    Column("title", Text, nullable=False),
    Column("kind", String(20), nullable=False),  # caunoi.outreach.campaigns.CAMPAIGN_KINDS
    Column("description", Text),
    Column("starts_on", Date, nullable=False),
    Column("ends_on", Date, nullable=False),
    Column("countries", JSON, nullable=False, default=list),  # partner countries (ISO 3166)
    Column("topics", JSON, nullable=False, default=list),  # taxonomy topic ids
    Column("key_messages", JSON, nullable=False, default=list),  # short sentences coverage is checked for
    Column("audiences", JSON, nullable=False, default=list),
    Column("budget", Float),
    Column("currency", String(3)),
    Column("created_by", String(100)),
    Column("created_at", DateTime, nullable=False),
    Column("updated_at", DateTime, nullable=False),
)

# The units and missions taking part in a campaign.
campaign_units = Table(
    "campaign_units",
    metadata,
    Column("campaign_id", Integer, ForeignKey("campaigns.id", ondelete="CASCADE"), nullable=False),
    Column("unit", String(40), ForeignKey("units.code", ondelete="RESTRICT"), nullable=False, index=True),
    PrimaryKeyConstraint("campaign_id", "unit", name="pk_campaign_units"),
)

# What a campaign aims at, the AMEC way: an indicator, a target value, by when (and the metric of
# caunoi.outreach.campaigns.METRICS it is measured by, when one fits).
campaign_objectives = Table(
    "campaign_objectives",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column(
        "campaign_id", Integer, ForeignKey("campaigns.id", ondelete="CASCADE"), nullable=False, index=True
    ),
    Column("indicator", Text, nullable=False),
    Column("target", Float, nullable=False),
    Column("due_on", Date),
    Column("metric", String(40)),  # migration 0014: the figure evaluation measures it by, if any
)

# Information packs (thông tin định hướng): positions, talking points, Q&A and materials the centre
# sends to missions, each to acknowledge by a deadline.
packs = Table(
    "packs",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("title", Text, nullable=False),
    Column("kind", String(20), nullable=False),  # caunoi.outreach.packs.PACK_KINDS
    Column("body", Text, nullable=False),
    Column("campaign_id", Integer, ForeignKey("campaigns.id", ondelete="SET NULL"), index=True),
    Column("deadline", DateTime),  # UTC: acknowledge by then
    Column("created_by", String(100)),
    Column("created_at", DateTime, nullable=False),
    Column("updated_at", DateTime, nullable=False),
)

# Who a pack was sent to, and whether and how they took it up.
pack_recipients = Table(
    "pack_recipients",
    metadata,
    Column("pack_id", Integer, ForeignKey("packs.id", ondelete="CASCADE"), nullable=False),
    Column("unit", String(40), ForeignKey("units.code", ondelete="RESTRICT"), nullable=False, index=True),
    Column("sent_at", DateTime, nullable=False),
    Column("sent_by", String(100)),
    Column("acknowledged_at", DateTime),
    Column("acknowledged_by", String(100)),
    Column("usage", Text),  # how the mission used the pack, in its words
    Column("reported_at", DateTime),
    PrimaryKeyConstraint("pack_id", "unit", name="pk_pack_recipients"),
)

# What missions and units did: events, interviews, articles placed, press releases, trainings …
activities = Table(
    "activities",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("key", String(100), nullable=False, unique=True),  # makes re-importing a log idempotent
    Column("type", String(20), nullable=False),  # caunoi.outreach.activities.ACTIVITY_TYPES
    Column("title", Text, nullable=False),
    Column("description", Text),
    Column("starts_at", DateTime, nullable=False, index=True),  # UTC
    Column("ends_at", DateTime),  # UTC
    Column("timezone", String(64), nullable=False),  # where it happened (IANA), to show local times
    Column("place", Text),
    Column("country", String(2)),
    Column("unit", String(40), ForeignKey("units.code", ondelete="RESTRICT"), nullable=False, index=True),
    Column("campaign_id", Integer, ForeignKey("campaigns.id", ondelete="SET NULL"), index=True),
    Column("audience", Integer),  # people reached in the room or on the air, as the unit counted them
    Column("partners", JSON, nullable=False, default=list),  # partner organisations
    Column("officials", JSON, nullable=False, default=list),  # officials in their public roles
    Column("cost", Float),
    Column("currency", String(3)),
    Column("notes", Text),
    Column("links", JSON, nullable=False, default=list),
    Column("release", Text),  # migration 0013: the text it put out (a press release, a statement, an op-ed)
    Column("created_by", String(100)),
    Column("created_at", DateTime, nullable=False),
    Column("updated_at", DateTime, nullable=False),
)

activity_products = Table(
    "activity_products",
    metadata,
    Column("activity_id", Integer, ForeignKey("activities.id", ondelete="CASCADE"), nullable=False),
    Column("product_id", Integer, ForeignKey("products.id", ondelete="CASCADE"), nullable=False, index=True),
    PrimaryKeyConstraint("activity_id", "product_id", name="pk_activity_products"),
)

activity_packs = Table(
    "activity_packs",
    metadata,
    Column("activity_id", Integer, ForeignKey("activities.id", ondelete="CASCADE"), nullable=False),
    Column("pack_id", Integer, ForeignKey("packs.id", ondelete="CASCADE"), nullable=False, index=True),
    PrimaryKeyConstraint("activity_id", "pack_id", name="pk_activity_packs"),
)

# Files attached to a pack, an activity or a product: kept in the store (size-limited), with a checksum.
outreach_files = Table(
    "outreach_files",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("pack_id", Integer, ForeignKey("packs.id", ondelete="CASCADE"), index=True),
    Column("activity_id", Integer, ForeignKey("activities.id", ondelete="CASCADE"), index=True),
    Column("product_id", Integer, ForeignKey("products.id", ondelete="CASCADE"), index=True),
    Column("name", Text, nullable=False),
    Column("media_type", String(100), nullable=False),
    Column("size", Integer, nullable=False),
    Column("sha256", String(64), nullable=False),
    Column("content", LargeBinary, nullable=False),
    Column("created_by", String(100)),
    Column("created_at", DateTime, nullable=False),
)

# -- earned coverage (migration 0013) ------------------------------------------------------------

# The articles an activity may have earned: found by caunoi.outreach.coverage (a score and its
# reasons in words), then confirmed or rejected by a person (remembered: a rejected article is not
# proposed again, a confirmed one is what evaluation counts).
activity_coverage = Table(
    "activity_coverage",
    metadata,
    Column("activity_id", Integer, ForeignKey("activities.id", ondelete="CASCADE"), nullable=False),
    Column("article_id", Integer, ForeignKey("articles.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("score", Float, nullable=False),  # 0..1, higher is likelier
    Column("reasons", JSON, nullable=False, default=list),  # [{"kind", "text", "weight", …}], best first
    Column("state", String(10), nullable=False, index=True),  # candidate | confirmed | rejected
    Column("found_at", DateTime, nullable=False),
    Column("checked_at", DateTime, nullable=False),  # the last time the matcher scored it
    Column("decided_by", String(100)),
    Column("decided_at", DateTime),
    PrimaryKeyConstraint("activity_id", "article_id", name="pk_activity_coverage"),
)

# -- review reports: drafts (migration 0015) -----------------------------------------------------

# A review report (báo cáo sơ kết / tổng kết) being written: its period, scope and layout, the text of
# the sections people write (the figures are computed when it is rendered), the drafts of units and
# missions pulled into it, and whether it is final. Its history is the audit log's ("review_draft").
review_drafts = Table(
    "review_drafts",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    # the unit or mission reporting; NULL: the whole system (the central report)
    Column("unit", String(40), ForeignKey("units.code", ondelete="RESTRICT"), index=True),
    Column("starts_on", Date, nullable=False),  # the period's first day …
    Column("ends_on", Date, nullable=False),  # … and its last, both included
    Column("style", String(10), nullable=False),  # state | party (caunoi.reports.document.STYLES)
    Column("lang", String(8), nullable=False),  # vi | en
    Column("number", String(40)),  # the number of the number and symbol, once the clerk gives it
    Column("subject", Text),  # the subject line (trích yếu) when it is not the one made from the period
    # the sections people write: limitations, causes, directions, recommendations -> text
    Column("narrative", JSON, nullable=False, default=dict),
    Column("pulled", JSON, nullable=False, default=list),  # ids of the drafts pulled into this one
    Column("state", String(10), nullable=False),  # draft | final
    Column("created_by", String(100)),
    Column("created_at", DateTime, nullable=False),
    Column("updated_by", String(100)),
    Column("updated_at", DateTime, nullable=False),
)

# -- brief editions and what was sent (migration 0016) -------------------------------------------

# A brief as an analyst made it (caunoi.reports.editions): the period, the opening note, and the
# stories proposed for it in the analyst's order, each kept in or left out, with a comment.
brief_editions = Table(
    "brief_editions",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("start", DateTime, nullable=False),
    Column("end", DateTime, nullable=False),
    Column("lang", String(2), nullable=False),
    Column("note", Text, nullable=False, default=""),
    Column("items", JSON, nullable=False, default=list),  # [{"story_id", "included", "comment"}], in order
    Column("created_by", String(100), nullable=False),
    Column("created_at", DateTime, nullable=False),
    Column("updated_by", String(100), nullable=False),
    Column("updated_at", DateTime, nullable=False),
    Column("sent_at", DateTime),  # the last time it was sent
)

# Every brief and digest sent to a channel: an edition's, or one the schedule sent for its `due`
# moment (caunoi.reports.schedule) — at most one row per kind, moment and channel, so a restarted
# watcher never sends one twice.
brief_sends = Table(
    "brief_sends",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("kind", String(10), nullable=False),  # edition | brief (from the command line) | daily | weekly
    Column("edition_id", Integer, ForeignKey("brief_editions.id", ondelete="SET NULL"), index=True),
    Column("due", DateTime),  # the scheduled moment, in the organisation's zone; none for an edition
    Column("channel", String(100), nullable=False),
    Column("target", Text, nullable=False),  # the addresses mailed
    Column("state", String(10), nullable=False),  # sending | sent | failed
    Column("attempts", Integer, nullable=False, default=0),
    Column("error", Text),
    Column("by", String(100), nullable=False),
    Column("at", DateTime, nullable=False),  # the last attempt
    UniqueConstraint("kind", "due", "channel", name="uq_brief_sends_due"),
)

# -- the readings of words typed without diacritics (migration 0017) -----------------------------

# The diacritised words and side-by-side word pairs of a sample of recent articles, under what they
# fold to ("bien dong" -> "biển đông", "biến động"), with how many articles carry each and how many
# write it capitalised (caunoi.text.readings). Rebuilt whole when the store has grown; when it was is
# kept in stage_state under READINGS_STATE.
search_readings = Table(
    "search_readings",
    metadata,
    Column("folded", String(100), nullable=False),
    Column("reading", String(100), nullable=False),
    Column("docs", Integer, nullable=False),
    Column("capital", Integer, nullable=False),
    PrimaryKeyConstraint("folded", "reading", name="pk_search_readings"),
)
