"""Sample questions the demo and the tests start from (real schemas, published through
the services like any other)."""

from __future__ import annotations

from typing import Any


def _l(en: str, pl: str, es: str, ru: str) -> dict[str, str]:
    return {"en": en, "pl": pl, "es": es, "ru": ru}


def initial_consultation() -> list[dict[str, Any]]:
    """The short stage-1 form of a first consultation (five questions and a caution)."""
    return [
        {
            "key": "first_name",
            "type": "text",
            "stage": 1,
            "required": True,
            "maps_to": "contact.first_name",
            "label": _l("First name", "Imię", "Nombre", "Имя"),
        },
        {
            "key": "last_name",
            "type": "text",
            "stage": 1,
            "required": True,
            "maps_to": "contact.last_name",
            "label": _l("Last name", "Nazwisko", "Apellidos", "Фамилия"),
        },
        {
            "key": "email",
            "type": "email",
            "stage": 1,
            "required": True,
            "maps_to": "contact.email",
            "label": _l("Email", "E-mail", "Correo electrónico", "Эл. почта"),
        },
        {
            "key": "topic",
            "type": "select",
            "stage": 1,
            "required": True,
            "maps_to": "lead.practice_area",
            "label": _l(
                "What is it about?", "Czego dotyczy sprawa?", "¿De qué se trata?", "О чём дело?"
            ),
            "options": [
                {"value": "family", "label": _l("Family", "Rodzinna", "Familia", "Семейное")},
                {
                    "value": "immigration",
                    "label": _l("Immigration", "Imigracyjna", "Inmigración", "Иммиграция"),
                },
                {
                    "value": "property",
                    "label": _l("Property", "Nieruchomości", "Inmuebles", "Недвижимость"),
                },
                {"value": "other", "label": _l("Something else", "Inna", "Otra", "Другое")},
            ],
        },
        {
            "key": "has_other_side",
            "type": "yes_no",
            "stage": 1,
            "required": True,
            "label": _l(
                "Is anyone else involved (the other side, a company)?",
                "Czy w sprawie jest ktoś jeszcze (druga strona, firma)?",
                "¿Hay alguien más implicado (la otra parte, una empresa)?",
                "Участвует ли кто-то ещё (другая сторона, компания)?",
            ),
        },
        {
            "key": "other_parties",
            "type": "party_list",
            "stage": 1,
            "required": True,
            "maps_to": "party[]",
            "visible_if": {"all": [{"field": "has_other_side", "op": "eq", "value": "yes"}]},
            "label": _l("Who else is involved?", "Kto jeszcze?", "¿Quién más?", "Кто ещё?"),
        },
        {
            "key": "deadline",
            "type": "deadline",
            "stage": 1,
            "maps_to": "lead.urgent_deadline",
            "label": _l(
                "Is there a deadline (a court date, a letter to answer)?",
                "Czy jest termin (rozprawa, pismo do odpowiedzi)?",
                "¿Hay algún plazo (un juicio, una carta por contestar)?",
                "Есть ли срок (суд, письмо, на которое нужно ответить)?",
            ),
        },
    ]


def immigration() -> list[dict[str, Any]]:
    """An immigration form: status, deadlines, country of origin (stage 2 details)."""
    return [
        *initial_consultation()[:3],
        {
            "key": "country_of_origin",
            "type": "country",
            "stage": 1,
            "required": True,
            "label": _l(
                "Country of origin", "Kraj pochodzenia", "País de origen", "Страна происхождения"
            ),
        },
        {
            "key": "status",
            "type": "radio",
            "stage": 1,
            "required": True,
            "label": _l(
                "Your current status in Poland",
                "Twój obecny status w Polsce",
                "Su situación actual en Polonia",
                "Ваш текущий статус в Польше",
            ),
            "options": [
                {"value": "visa", "label": _l("Visa", "Wiza", "Visado", "Виза")},
                {
                    "value": "temporary",
                    "label": _l(
                        "Temporary residence",
                        "Pobyt czasowy",
                        "Residencia temporal",
                        "Временное проживание",
                    ),
                },
                {
                    "value": "permanent",
                    "label": _l(
                        "Permanent residence",
                        "Pobyt stały",
                        "Residencia permanente",
                        "Постоянное проживание",
                    ),
                },
                {
                    "value": "none",
                    "label": _l("None yet", "Jeszcze żaden", "Ninguna todavía", "Пока никакого"),
                },
            ],
        },
        {
            "key": "permit_expires",
            "type": "deadline",
            "stage": 1,
            "maps_to": "lead.urgent_deadline",
            "visible_if": {
                "any": [{"field": "status", "op": "in", "value": ["visa", "temporary"]}]
            },
            "label": _l(
                "When does your visa or permit expire?",
                "Kiedy wygasa wiza lub zezwolenie?",
                "¿Cuándo caduca su visado o permiso?",
                "Когда истекает виза или разрешение?",
            ),
        },
        {
            "key": "story",
            "type": "textarea",
            "stage": 2,
            "sensitive": True,
            "label": _l(
                "Tell us more about your situation",
                "Opisz swoją sytuację",
                "Cuéntenos más sobre su situación",
                "Расскажите подробнее о своей ситуации",
            ),
        },
        {
            "key": "documents",
            "type": "file",
            "stage": 2,
            "label": _l(
                "Your residence card or decision, if you have one",
                "Karta pobytu lub decyzja, jeśli ją masz",
                "Su tarjeta de residencia o resolución, si la tiene",
                "Вид на жительство или решение, если есть",
            ),
        },
    ]
