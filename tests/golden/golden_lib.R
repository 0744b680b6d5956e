# Helpers shared by make_golden.R, make_golden_glm.R and make_golden_change.R:
# JSON with full precision, golden files, design specs and the designs built from them.
# Each script sources this file from tests/golden (cd tests/golden && Rscript ...).

# ---------------------------------------------------------------------------
# JSON with full precision
# ---------------------------------------------------------------------------

# Numbers with 17 significant digits; NaN and infinities as the strings "NaN",
# "Inf", "-Inf"; NA as null.
json_scalar <- function(x) {
  if (is.character(x) || is.factor(x)) {
    x <- as.character(x)
    if (is.na(x)) return("null")
    return(as.character(toJSON(x, auto_unbox = TRUE)))
  }
  if (is.logical(x)) {
    if (is.na(x)) return("null")
    return(if (x) "true" else "false")
  }
  if (is.nan(x)) return("\"NaN\"")
  if (is.na(x)) return("null")
  if (is.infinite(x)) return(if (x > 0) "\"Inf\"" else "\"-Inf\"")
  if (x == round(x) && abs(x) < 1e15) return(sprintf("%.0f", x))
  sprintf("%.17g", x)
}

# Lists with names become objects, other lists arrays; atomic vectors of length one
# become scalars unless wrapped in I(), longer ones arrays.
to_json <- function(x) {
  if (is.null(x)) return("null")
  if (is.list(x) && !is.data.frame(x)) {
    if (!is.null(names(x))) {
      keys <- vapply(names(x), json_scalar, "")
      vals <- vapply(x, to_json, "")
      return(paste0("{", paste0(keys, ":", vals, collapse = ","), "}"))
    }
    return(paste0("[", paste(vapply(x, to_json, ""), collapse = ","), "]"))
  }
  if (length(x) == 1 && !inherits(x, "AsIs")) return(json_scalar(unclass(x)))
  x <- unclass(x)
  paste0("[", paste(vapply(seq_along(x), function(i) json_scalar(x[i]), ""), collapse = ","), "]")
}

# The meta block of every golden file: the script, R and survey versions and the
# survey options, then `extra` (a named list).
golden_meta <- function(generated_by, extra = list()) {
  c(list(
    generated_by = generated_by,
    r_version = R.version.string,
    survey_version = as.character(packageVersion("survey")),
    options = list(survey.replicates.mse = FALSE, survey.adjust.domain.lonely = FALSE)
  ), extra)
}

# A golden file {"meta", "designs", "cases"}, one design or case per line. The list
# fields of a design spec (steps, derive) are always written as arrays.
write_golden <- function(file, designs, cases, meta) {
  con <- file(file, "w")
  writeLines("{", con)
  writeLines(paste0("\"meta\":", to_json(meta), ","), con)
  writeLines("\"designs\":{", con)
  dn <- names(designs)
  for (i in seq_along(dn)) {
    spec <- designs[[i]]
    for (field in intersect(c("steps", "derive"), names(spec))) spec[[field]] <- I(spec[[field]])
    writeLines(paste0(json_scalar(dn[i]), ":", to_json(spec), if (i < length(dn)) "," else ""), con)
  }
  writeLines("},", con)
  writeLines("\"cases\":[", con)
  for (i in seq_along(cases)) {
    writeLines(paste0(to_json(cases[[i]]), if (i < length(cases)) "," else ""), con)
  }
  writeLines("]}", con)
  close(con)
  cat(sprintf("wrote %s: %d designs, %d cases\n", file, length(designs), length(cases)))
}

# ---------------------------------------------------------------------------
# Design specs: what both R (make_design) and Python (tests/test_golden_r.py,
# tests/test_glm.py) build a design from
# ---------------------------------------------------------------------------

# The "Not known" sex targets of an exported margins table, checked from the data (R
# does not take Python's word for them): in each district with a "Not known" respondent,
# the district's total (its age band margin) times the survey's share of "Not known"
# respondents, one share for the whole survey, never a district's own count; Female and
# Male take the rest, so both margins keep the district totals. Stops otherwise.
check_unknown_sex <- function(margins, data) {
  share <- mean(data$sex == "Not known")
  ages <- margins[margins$margin == "district x age_band", ]
  sexes <- margins[margins$margin == "district x sex", ]
  totals <- c(tapply(ages$population, ages$district, sum))
  unknown <- sexes[sexes$sex == "Not known", ]
  stopifnot(setequal(unknown$district, data$district[data$sex == "Not known"]),
            isTRUE(all.equal(unknown$population, unname(share * totals[unknown$district]),
                             tolerance = 1e-12)),
            isTRUE(all.equal(c(tapply(sexes$population, sexes$district, sum))[names(totals)],
                             totals, tolerance = 1e-12)))
  invisible(share)
}

margin_records <- function(m) {
  lapply(seq_len(nrow(m)), function(i) as.list(m[i, , drop = FALSE]))
}

rake_step <- function(margins, bounds = NULL) {
  step <- list(op = "rake", margins = lapply(margins, margin_records))
  if (!is.null(bounds)) step$bounds <- I(bounds)
  step
}

trim_step <- function(lower = NULL, upper = NULL, strict = FALSE) {
  list(op = "trim", lower = lower, upper = upper, strict = strict)
}

jackknife_step <- function() list(op = "jackknife")

key_of <- function(df, cols) do.call(paste, c(lapply(cols, function(v) as.character(df[[v]])), sep = "\r"))

# calibrate(design, ~m1 + m2 + ..., totals, calfun = "raking"), one factor per margin
# (a joint margin is the interaction of its columns).
apply_rake <- function(d, margins, bounds = NULL) {
  terms <- character(0)
  pop <- c("(Intercept)" = NA_real_)
  total <- NULL
  for (i in seq_along(margins)) {
    m <- as.data.frame(do.call(rbind, lapply(margins[[i]], as.data.frame)), stringsAsFactors = FALSE)
    cols <- setdiff(names(m), "population")
    levs <- key_of(m, cols)
    f <- factor(key_of(d$variables, cols), levels = levs)
    if (any(is.na(f))) stop("data category without a population row in margin ", i)
    if (any(table(f) == 0)) stop("margin category without respondents in margin ", i)
    v <- paste0(".m", i)
    d$variables[[v]] <- f
    terms <- c(terms, v)
    tot <- sum(m$population)
    if (is.null(total)) total <- tot else stopifnot(abs(total - tot) < 1e-9 * tot)
    p <- m$population[-1]
    names(p) <- paste0(v, levs[-1])
    pop <- c(pop, p)
  }
  pop[1] <- total
  calibrate(d, as.formula(paste("~", paste(terms, collapse = " + "))), population = pop,
            calfun = "raking", maxit = 100, epsilon = 1e-12,
            bounds = if (is.null(bounds)) c(-Inf, Inf) else unlist(bounds))
}

# The design of a spec on the data frame `df` (by default the script's
# `datasets[[s$data]]`), then its steps in order.
make_design <- function(s, df = datasets[[s$data]]) {
  f <- function(v) if (is.null(v)) NULL else as.formula(paste0("~", v))
  ids <- if (is.null(s$clusters)) ~1 else f(s$clusters)
  d <- if (is.null(s$weights)) {
    suppressWarnings(svydesign(ids = ids, strata = f(s$strata), fpc = f(s$fpc), data = df))
  } else {
    svydesign(ids = ids, strata = f(s$strata), weights = f(s$weights), fpc = f(s$fpc), data = df)
  }
  for (st in s$steps) {
    d <- switch(st$op,
      rake = apply_rake(d, st$margins, st$bounds),
      trim = trimWeights(d,
        lower = if (is.null(st$lower)) -Inf else st$lower,
        upper = if (is.null(st$upper)) Inf else st$upper,
        strict = st$strict),
      jackknife = as.svrepdesign(d, type = if (is.null(s$strata)) "JK1" else "JKn"),
      stop("unknown step ", st$op)
    )
  }
  d
}

full_weights <- function(d) {
  if (inherits(d, "svyrep.design")) as.vector(d$pweights) else as.vector(weights(d, "sampling"))
}
