//! Rectification orders (整改通知单): the developer answers with text and photos, the agency
//! rechecks and closes (lowering the finding's level) or rejects (back to the developer).
//! Overdue orders climb the escalation ladder, computed from the deadline every time they are shown.

use askama::Template;
use axum::Json;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::AppState;
use super::api::Listed;
use super::error::{AppError, AppResult, FieldError};
use super::extract::{AppForm, AppJson, CurrentUser, RequestId};
use super::forms::{Checker, DoneQuery, after_form, failure_parts, parse_id};
use super::pager::{Links, Page, PageQuery};
use super::projects::today;
use super::uploads::{Photo, Upload};
use crate::domain::risk::{
    Escalation, OrderAction, OrderStatus, RiskLevel, escalation, order_transition,
};
use crate::domain::tenancy::OrgKind;
use crate::i18n::Lang;
use crate::storage::ListScope;
use crate::storage::escalations::EscalationStep;
use crate::storage::risk::{self as store, NewPhoto, Order, OrderEvent, OrderKey};
use crate::storage::{audit, projects as project_store};
use crate::views::{PageContext, render, render_status};

/// An order with where it stands on the escalation ladder today.
#[derive(Serialize, utoipa::ToSchema)]
pub struct OrderView {
    #[serde(flatten)]
    pub order: Order,
    pub escalation: Escalation,
    pub days_overdue: i64,
}

pub fn view(order: Order, today: NaiveDate) -> OrderView {
    let status = OrderStatus::parse(&order.status).unwrap_or(OrderStatus::Closed);
    let days_overdue = if status == OrderStatus::Issued {
        (today - order.deadline).num_days().max(0)
    } else {
        0
    };
    OrderView {
        escalation: escalation(status, order.deadline, today),
        days_overdue,
        order,
    }
}

async fn load(conn: &mut sqlx::PgConnection, id: Uuid) -> AppResult<Order> {
    store::order(conn, id).await?.ok_or(AppError::NotFound)
}

async fn move_order(
    conn: &mut sqlx::PgConnection,
    order: &Order,
    action: OrderAction,
) -> AppResult<OrderStatus> {
    let from =
        OrderStatus::parse(&order.status).ok_or(AppError::Conflict("orders.transition_refused"))?;
    let to =
        order_transition(from, action).ok_or(AppError::Conflict("orders.transition_refused"))?;
    if !store::set_order_status(
        conn,
        order,
        to.as_str(),
        action == OrderAction::RecheckReject,
    )
    .await?
    {
        return Err(AppError::Conflict("stale"));
    }
    Ok(to)
}

async fn attach(
    conn: &mut sqlx::PgConnection,
    user: &CurrentUser,
    order: &Order,
    district: Uuid,
    event: Uuid,
    photos: &[Photo],
) -> AppResult<Vec<String>> {
    let org = user.org.as_ref().map_or(Uuid::nil(), |o| o.id);
    let mut hashes = Vec::new();
    for photo in photos {
        store::insert_photo(
            conn,
            &NewPhoto {
                project: (order.project_id, district, order.developer_org_id),
                finding_id: None,
                order_event_id: Some(event),
                content_type: photo.kind.content_type(),
                bytes: &photo.bytes,
                sha256: &photo.sha256,
                original_name: &photo.original_name,
                uploaded_by: user.user_id,
                uploaded_by_org: org,
            },
        )
        .await?;
        hashes.push(hex::encode(&photo.sha256));
    }
    Ok(hashes)
}

async fn district_of(conn: &mut sqlx::PgConnection, project: Uuid) -> AppResult<Uuid> {
    Ok(project_store::project(conn, project)
        .await?
        .ok_or(AppError::NotFound)?
        .district_id)
}

/// The developer's answer: what was done, with evidence photos.
pub async fn respond(
    state: &AppState,
    user: &CurrentUser,
    request_id: &str,
    id: Uuid,
    text: &str,
    photos: &[Photo],
) -> AppResult<()> {
    if user.org_kind() != Some(OrgKind::Developer) {
        return Err(AppError::Forbidden);
    }
    let mut tx = user.begin(&state.pool).await?;
    let order = load(&mut tx, id).await?;
    if Some(order.developer_org_id) != user.org.as_ref().map(|o| o.id) {
        return Err(AppError::NotFound);
    }
    let mut form = Checker::default();
    let text = form.text("text", text, 2, 2000);
    form.finish()?;
    move_order(&mut tx, &order, OrderAction::Respond).await?;
    let district = district_of(&mut tx, order.project_id).await?;
    let org = user.org.as_ref().map_or(Uuid::nil(), |o| o.id);
    let event = store::insert_order_event(
        &mut tx,
        &order,
        district,
        "response",
        &text,
        user.user_id,
        org,
    )
    .await?;
    let hashes = attach(&mut tx, user, &order, district, event, photos).await?;
    audit::record(
        &mut tx,
        user,
        request_id,
        audit::Entry {
            action: "order.responded",
            entity_type: "rectification_order",
            entity_id: Some(order.id),
            before: Some(serde_json::json!({ "status": order.status })),
            after: Some(
                serde_json::json!({ "status": "responded", "text": text, "photos_sha256": hashes }),
            ),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RecheckInput {
    /// close | reject
    pub outcome: String,
    pub note: String,
    /// The finding's level after a successful recheck: A or O (default A).
    #[serde(default)]
    pub level: String,
}

/// The agency's recheck: close (and lower the finding's current level) or reject and reopen.
pub async fn recheck(
    state: &AppState,
    user: &CurrentUser,
    request_id: &str,
    id: Uuid,
    input: &RecheckInput,
) -> AppResult<()> {
    if user.org_kind() != Some(OrgKind::RiskAgency) {
        return Err(AppError::Forbidden);
    }
    let mut tx = user.begin(&state.pool).await?;
    let order = load(&mut tx, id).await?;
    let assigned: bool = sqlx::query_scalar("SELECT app.is_assigned_agency($1)")
        .bind(order.project_id)
        .fetch_one(&mut *tx)
        .await?;
    if Some(order.agency_org_id) != user.org.as_ref().map(|o| o.id) || !assigned {
        return Err(AppError::NotFound);
    }
    let mut form = Checker::default();
    let action = match input.outcome.trim() {
        "close" => Some(OrderAction::RecheckClose),
        "reject" => Some(OrderAction::RecheckReject),
        _ => None,
    };
    form.check(action.is_some(), "outcome", "orders.bad_outcome");
    let note = form.text("note", &input.note, 2, 2000);
    let level = match input.level.trim() {
        "" => Some(RiskLevel::A),
        raw => RiskLevel::parse(raw).filter(|l| matches!(l, RiskLevel::A | RiskLevel::O)),
    };
    form.check(level.is_some(), "level", "orders.bad_closing_level");
    form.finish()?;
    let (Some(action), Some(level)) = (action, level) else {
        return Err(AppError::NotFound);
    };
    let to = move_order(&mut tx, &order, action).await?;
    let district = district_of(&mut tx, order.project_id).await?;
    let org = user.org.as_ref().map_or(Uuid::nil(), |o| o.id);
    let kind = if action == OrderAction::RecheckClose {
        "recheck_closed"
    } else {
        "recheck_rejected"
    };
    store::insert_order_event(&mut tx, &order, district, kind, &note, user.user_id, org).await?;
    if to == OrderStatus::Closed {
        store::close_finding(&mut tx, order.finding_id, level.as_str()).await?;
    }
    audit::record(
        &mut tx,
        user,
        request_id,
        audit::Entry {
            action: "order.rechecked",
            entity_type: "rectification_order",
            entity_id: Some(order.id),
            before: Some(serde_json::json!({ "status": order.status, "level": order.level })),
            after: Some(serde_json::json!({ "status": to.as_str(), "note": note,
            "finding_level": (to == OrderStatus::Closed).then_some(level.as_str()) })),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

// ----- pages ----------------------------------------------------------------------------------

#[derive(Template)]
#[template(path = "orders/list.html")]
struct ListPage {
    ctx: PageContext,
    orders: Vec<OrderView>,
    links: Links,
}

/// A page of the orders the reader's organisation may see, as its list walks them: open before
/// closed, the most overdue first.
async fn page(
    state: &AppState,
    user: &CurrentUser,
    query: &PageQuery,
) -> AppResult<Page<OrderView>> {
    let window = query.window::<OrderKey>()?;
    let mut tx = user.begin(&state.pool).await?;
    let orders = store::orders(
        &mut tx,
        ListScope::for_reader(user.org_kind()),
        window.after.as_ref(),
        window.fetch(),
    )
    .await?;
    tx.commit().await?;
    let day = today();
    Ok(window.page(orders, Order::key).map(|o| view(o, day)))
}

pub async fn index(
    State(state): State<AppState>,
    lang: Lang,
    user: CurrentUser,
    Query(query): Query<PageQuery>,
) -> AppResult<Response> {
    if user.org.is_none() {
        return Err(AppError::NotFound);
    }
    let page = page(&state, &user, &query).await?;
    let ctx = PageContext::signed_in(lang, &user, "/orders");
    if query.is_xlsx() {
        return order_sheet(&ctx, &page.rows).download("orders.xlsx");
    }
    render(&ListPage {
        ctx,
        links: page.links("/orders", &query),
        orders: page.rows,
    })
}

fn order_sheet(ctx: &PageContext, orders: &[OrderView]) -> super::export::Sheet {
    use super::export::{Cell, Sheet};
    Sheet {
        rows: orders
            .iter()
            .map(|o| {
                vec![
                    Cell::Text(o.order.number.clone()),
                    Cell::Text(o.order.project_name.clone()),
                    Cell::Text(o.order.developer_name_zh.clone()),
                    Cell::Text(ctx.label("level", &o.order.level).to_owned()),
                    Cell::Text(o.order.location.clone()),
                    Cell::Text(o.order.deadline.to_string()),
                    Cell::Number(o.days_overdue as f64),
                    Cell::Text(ctx.label("order_status", &o.order.status).to_owned()),
                ]
            })
            .collect(),
        ..Sheet::localized(
            ctx,
            "nav.orders",
            &[
                "orders.number",
                "projects.name",
                "projects.developer",
                "analytics.level",
                "analytics.location",
                "orders.deadline",
                "analytics.days_overdue",
                "orders.status",
            ],
        )
    }
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct OrderDetail {
    pub order: OrderView,
    pub events: Vec<OrderEvent>,
    pub finding_photos: Vec<Uuid>,
    /// Each rung of the escalation ladder reached so far, with its date.
    pub escalations: Vec<EscalationStep>,
}

async fn detail(state: &AppState, user: &CurrentUser, id: Uuid) -> AppResult<OrderDetail> {
    let mut tx = user.begin(&state.pool).await?;
    let order = load(&mut tx, id).await?;
    let events = store::order_events(&mut tx, id).await?;
    let finding = store::finding(&mut tx, order.finding_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let escalations = crate::storage::escalations::steps_of(&mut tx, id).await?;
    tx.commit().await?;
    Ok(OrderDetail {
        order: view(order, today()),
        events,
        finding_photos: finding.photos,
        escalations,
    })
}

#[derive(Template)]
#[template(path = "orders/detail.html")]
struct DetailPage {
    ctx: PageContext,
    d: OrderDetail,
    can_respond: bool,
    can_recheck: bool,
    notice: Option<&'static str>,
    errors: Vec<(usize, FieldError)>,
    error: Option<&'static str>,
}

async fn detail_page(
    state: &AppState,
    lang: Lang,
    user: &CurrentUser,
    id: Uuid,
    notice: Option<&'static str>,
    failure: Option<AppError>,
) -> AppResult<Response> {
    let d = detail(state, user, id).await?;
    let org = user.org.as_ref().map(|o| o.id);
    let can_respond =
        org == Some(d.order.order.developer_org_id) && d.order.order.status == "issued";
    let can_recheck =
        org == Some(d.order.order.agency_org_id) && d.order.order.status == "responded";
    let (status, errors, error) = failure_parts(failure)?;
    render_status(
        &DetailPage {
            ctx: PageContext::signed_in(lang, user, "/orders"),
            d,
            can_respond,
            can_recheck,
            notice,
            errors,
            error,
        },
        status,
    )
}

pub async fn show(
    State(state): State<AppState>,
    lang: Lang,
    user: CurrentUser,
    Path(id): Path<String>,
    Query(query): Query<DoneQuery>,
) -> AppResult<Response> {
    let notice = query.done.as_deref().map(|d| {
        if d == "respond" {
            "orders.responded"
        } else {
            "orders.rechecked"
        }
    });
    detail_page(&state, lang, &user, parse_id(&id)?, notice, None).await
}

pub async fn respond_form(
    State(state): State<AppState>,
    lang: Lang,
    RequestId(request_id): RequestId,
    user: CurrentUser,
    Path(id): Path<String>,
    upload: Upload,
) -> AppResult<Response> {
    let id = parse_id(&id)?;
    let action = respond(
        &state,
        &user,
        &request_id,
        id,
        upload.field("text"),
        &upload.photos,
    );
    after_form(action, format!("/orders/{id}?done=respond"), |err| {
        detail_page(&state, lang, &user, id, None, Some(err))
    })
    .await
}

pub async fn recheck_form(
    State(state): State<AppState>,
    lang: Lang,
    RequestId(request_id): RequestId,
    user: CurrentUser,
    Path(id): Path<String>,
    AppForm(input): AppForm<RecheckInput>,
) -> AppResult<Response> {
    let id = parse_id(&id)?;
    let action = recheck(&state, &user, &request_id, id, &input);
    after_form(action, format!("/orders/{id}?done=recheck"), |err| {
        detail_page(&state, lang, &user, id, None, Some(err))
    })
    .await
}

// ----- API ------------------------------------------------------------------------------------

/// Visible rectification orders with their escalation step, a page at a time: open before
/// closed, the most overdue first.
#[utoipa::path(get, path = "/api/v1/orders", params(PageQuery), responses((status = 200, body = Listed<OrderView>), (status = 422)))]
pub async fn api_list(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(query): Query<PageQuery>,
) -> AppResult<Json<Listed<OrderView>>> {
    let page = page(&state, &user, &query).await?;
    Ok(Json(Listed {
        items: page.rows,
        next: page.next,
    }))
}

#[utoipa::path(get, path = "/api/v1/orders/{id}", params(("id" = Uuid, Path)), responses((status = 200, body = OrderDetail), (status = 404)))]
pub async fn api_show(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
) -> AppResult<Json<OrderDetail>> {
    Ok(Json(detail(&state, &user, parse_id(&id)?).await?))
}

/// The developer's response (multipart: `text` and up to five `photos`).
#[utoipa::path(post, path = "/api/v1/orders/{id}/respond", params(("id" = Uuid, Path)),
    request_body(content = String, content_type = "multipart/form-data"),
    responses((status = 200, body = OrderDetail), (status = 403), (status = 404), (status = 409), (status = 413), (status = 415), (status = 422)))]
pub async fn api_respond(
    State(state): State<AppState>,
    RequestId(request_id): RequestId,
    user: CurrentUser,
    Path(id): Path<String>,
    upload: Upload,
) -> AppResult<Json<OrderDetail>> {
    let id = parse_id(&id)?;
    respond(
        &state,
        &user,
        &request_id,
        id,
        upload.field("text"),
        &upload.photos,
    )
    .await?;
    Ok(Json(detail(&state, &user, id).await?))
}

/// The agency's recheck.
#[utoipa::path(post, path = "/api/v1/orders/{id}/recheck", params(("id" = Uuid, Path)), request_body = RecheckInput,
    responses((status = 200, body = OrderDetail), (status = 403), (status = 404), (status = 409), (status = 422)))]
pub async fn api_recheck(
    State(state): State<AppState>,
    RequestId(request_id): RequestId,
    user: CurrentUser,
    Path(id): Path<String>,
    AppJson(input): AppJson<RecheckInput>,
) -> AppResult<Json<OrderDetail>> {
    let id = parse_id(&id)?;
    recheck(&state, &user, &request_id, id, &input).await?;
    Ok(Json(detail(&state, &user, id).await?))
}
