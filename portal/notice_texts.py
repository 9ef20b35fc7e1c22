"""The wording Atrium ships for portal notices, per event and language.

Content, not gettext strings: the firm edits them on the staff pages (a NotificationTemplate
row overrides one). Nothing confidential is offered as a placeholder: no message text, no
file name, no matter title, only the matter reference.
"""

from __future__ import annotations

from notifications.registry import Text

EMAIL: dict[str, dict[str, Text]] = {
    "message": {
        "en": Text(
            "You have a new secure message",
            "Hello {name},\n"
            "\n"
            "you have a new secure message about {matter}.\n"
            "For your privacy we do not send it by email. Sign in to read "
            "it: {link}\n"
            "\n"
            "{firm}",
        ),
        "pl": Text(
            "Masz nową bezpieczną wiadomość",
            "Dzień dobry {name},\n"
            "\n"
            "masz nową bezpieczną wiadomość w sprawie {matter}.\n"
            "Dla Twojej prywatności nie wysyłamy jej e-mailem. Zaloguj się, "
            "aby ją przeczytać: {link}\n"
            "\n"
            "{firm}",
        ),
        "es": Text(
            "Tiene un nuevo mensaje seguro",
            "Hola, {name}:\n"
            "\n"
            "tiene un nuevo mensaje seguro sobre {matter}.\n"
            "Por su privacidad no lo enviamos por correo. Inicie sesión para "
            "leerlo: {link}\n"
            "\n"
            "{firm}",
        ),
        "ru": Text(
            "У вас новое защищённое сообщение",
            "Здравствуйте, {name}!\n"
            "\n"
            "у вас новое защищённое сообщение по делу {matter}.\n"
            "Ради вашей конфиденциальности мы не пересылаем его по почте. "
            "Войдите, чтобы прочитать: {link}\n"
            "\n"
            "{firm}",
        ),
    },
    "task_due": {
        "en": Text(
            "A task is due on {due}",
            "Hello {name},\n\na task in {matter} is due on {due}.\nSee it here: {link}\n\n{firm}",
        ),
        "pl": Text(
            "Termin zadania: {due}",
            "Dzień dobry {name},\n"
            "\n"
            "zadanie w sprawie {matter} ma termin {due}.\n"
            "Zobacz je tutaj: {link}\n"
            "\n"
            "{firm}",
        ),
        "es": Text(
            "Una tarea vence el {due}",
            "Hola, {name}:\n\nuna tarea de {matter} vence el {due}.\nVéala aquí: {link}\n\n{firm}",
        ),
        "ru": Text(
            "Срок задачи: {due}",
            "Здравствуйте, {name}!\n"
            "\n"
            "срок задачи по делу {matter}: {due}.\n"
            "Подробнее: {link}\n"
            "\n"
            "{firm}",
        ),
    },
    "document_due": {
        "en": Text(
            "Documents needed by {due}",
            "Hello {name},\n"
            "\n"
            "we are waiting for documents for {matter} by {due}.\n"
            "Upload them here: {link}\n"
            "\n"
            "{firm}",
        ),
        "pl": Text(
            "Dokumenty potrzebne do {due}",
            "Dzień dobry {name},\n"
            "\n"
            "czekamy na dokumenty w sprawie {matter} do {due}.\n"
            "Prześlij je tutaj: {link}\n"
            "\n"
            "{firm}",
        ),
        "es": Text(
            "Documentos necesarios antes del {due}",
            "Hola, {name}:\n"
            "\n"
            "esperamos documentos para {matter} antes del {due}.\n"
            "Súbalos aquí: {link}\n"
            "\n"
            "{firm}",
        ),
        "ru": Text(
            "Документы нужны до {due}",
            "Здравствуйте, {name}!\n"
            "\n"
            "мы ждём документы по делу {matter} до {due}.\n"
            "Загрузите их здесь: {link}\n"
            "\n"
            "{firm}",
        ),
    },
    "matter_update": {
        "en": Text(
            "News about your matter",
            "Hello {name},\n"
            "\n"
            "there is news about {matter} in your portal.\n"
            "For your privacy we do not send the details by email. Sign in to "
            "see it: {link}\n"
            "\n"
            "{firm}",
        ),
        "pl": Text(
            "Nowe informacje w Twojej sprawie",
            "Dzień dobry {name},\n"
            "\n"
            "w portalu są nowe informacje w sprawie {matter}.\n"
            "Dla Twojej prywatności nie wysyłamy szczegółów e-mailem. Zaloguj "
            "się, aby je zobaczyć: {link}\n"
            "\n"
            "{firm}",
        ),
        "es": Text(
            "Novedades sobre su asunto",
            "Hola, {name}:\n"
            "\n"
            "hay novedades sobre {matter} en su portal.\n"
            "Por su privacidad no enviamos los detalles por correo. Inicie "
            "sesión para verlas: {link}\n"
            "\n"
            "{firm}",
        ),
        "ru": Text(
            "Новости по вашему делу",
            "Здравствуйте, {name}!\n"
            "\n"
            "в портале есть новости по делу {matter}.\n"
            "Ради вашей конфиденциальности мы не пересылаем подробности по "
            "почте. Войдите, чтобы посмотреть: {link}\n"
            "\n"
            "{firm}",
        ),
    },
    "client_activity": {
        "en": Text(
            "New from a client: {matter}",
            "Hello {name},\n"
            "\n"
            "a client did something new on {matter} ({count}).\n"
            "See it here: {link}\n"
            "\n"
            "{firm}",
        ),
        "pl": Text(
            "Nowe działania klienta: {matter}",
            "Dzień dobry {name},\n"
            "\n"
            "klient wykonał nowe działania w sprawie {matter} ({count}).\n"
            "Zobacz: {link}\n"
            "\n"
            "{firm}",
        ),
        "es": Text(
            "Novedades de un cliente: {matter}",
            "Hola, {name}:\n"
            "\n"
            "un cliente ha hecho algo nuevo en {matter} ({count}).\n"
            "Véalo aquí: {link}\n"
            "\n"
            "{firm}",
        ),
        "ru": Text(
            "Новое от клиента: {matter}",
            "Здравствуйте, {name}!\n"
            "\n"
            "клиент совершил новые действия по делу {matter} ({count}).\n"
            "Подробнее: {link}\n"
            "\n"
            "{firm}",
        ),
    },
    "activity_digest": {
        "en": Text(
            "Client activity: {count} new",
            "Hello {name},\n"
            "\n"
            "clients did {count} new things on your matters (uploads, tasks done, "
            "bookings).\n"
            "Your inbox: {link}\n"
            "\n"
            "{firm}",
        ),
        "pl": Text(
            "Działania klientów: {count} nowych",
            "Dzień dobry {name},\n"
            "\n"
            "klienci wykonali w Twoich sprawach nowe działania ({count}): przesłane "
            "pliki, wykonane zadania, rezerwacje.\n"
            "Twoja skrzynka: {link}\n"
            "\n"
            "{firm}",
        ),
        "es": Text(
            "Actividad de clientes: {count} novedades",
            "Hola, {name}:\n"
            "\n"
            "los clientes han hecho {count} cosas nuevas en sus asuntos (archivos, "
            "tareas hechas, citas).\n"
            "Su bandeja: {link}\n"
            "\n"
            "{firm}",
        ),
        "ru": Text(
            "Действия клиентов: {count}",
            "Здравствуйте, {name}!\n"
            "\n"
            "клиенты совершили новые действия по вашим делам ({count}): загрузки, "
            "выполненные задачи, записи.\n"
            "Ваши входящие: {link}\n"
            "\n"
            "{firm}",
        ),
    },
}

SMS: dict[str, dict[str, str]] = {
    "message": {
        "en": "{firm}: you have a new secure message. Sign in to read it: {link}",
        "pl": "{firm}: nowa bezpieczna wiadomość. Zaloguj się: {link}",
        "es": "{firm}: tiene un nuevo mensaje seguro. Entre para leerlo: {link}",
        "ru": "{firm}: новое защищённое сообщение. Войдите: {link}",
    },
    "task_due": {
        "en": "{firm}: a task is due on {due}. Details: {link}",
        "pl": "{firm}: termin zadania {due}. Szczegóły: {link}",
        "es": "{firm}: tiene una tarea para el {due}. Detalles: {link}",
        "ru": "{firm}: срок задачи {due}. Подробнее: {link}",
    },
    "document_due": {
        "en": "{firm}: documents needed by {due}. Upload: {link}",
        "pl": "{firm}: dokumenty do {due}. Prześlij: {link}",
        "es": "{firm}: necesitamos documentos antes del {due}. Subir: {link}",
        "ru": "{firm}: документы нужны до {due}. Загрузить: {link}",
    },
    "matter_update": {
        "en": "{firm}: there is news about your matter. Sign in: {link}",
        "pl": "{firm}: nowe informacje w Twojej sprawie. Zaloguj się: {link}",
        "es": "{firm}: hay novedades en su asunto. Entre: {link}",
        "ru": "{firm}: новости по вашему делу. Войдите: {link}",
    },
    "client_activity": {
        "en": "{firm}: new from a client on {matter}: {link}",
        "pl": "{firm}: nowe działania klienta w sprawie {matter}: {link}",
        "es": "{firm}: novedades de un cliente en {matter}: {link}",
        "ru": "{firm}: новое от клиента по делу {matter}: {link}",
    },
    "activity_digest": {
        "en": "{firm}: {count} new client actions. Inbox: {link}",
        "pl": "{firm}: nowe działania klientów ({count}). Skrzynka: {link}",
        "es": "{firm}: {count} novedades de clientes. Bandeja: {link}",
        "ru": "{firm}: новые действия клиентов ({count}). Входящие: {link}",
    },
}

# The prepared check-in update for the silence alarm, in the client's language. {next_step}
# and {expected} are filled with a suggestion the lawyer edits before sending.
CHECKIN: dict[str, Text] = {
    "en": Text(
        "Quick update: nothing new yet",
        "Nothing new yet on your matter; we have not forgotten you.\n"
        "Next step: {next_step}\n"
        "Expected by: {expected}",
    ),
    "pl": Text(
        "Krótka informacja: na razie bez zmian",
        "W Twojej sprawie na razie nie ma nic nowego; pamiętamy o Tobie.\n"
        "Następny krok: {next_step}\n"
        "Spodziewany termin: {expected}",
    ),
    "es": Text(
        "Breve novedad: de momento nada nuevo",
        "De momento no hay novedades en su asunto; no nos olvidamos de "
        "usted.\n"
        "Próximo paso: {next_step}\n"
        "Fecha prevista: {expected}",
    ),
    "ru": Text(
        "Коротко: пока без изменений",
        "По вашему делу пока ничего нового; мы о вас помним.\n"
        "Следующий шаг: {next_step}\n"
        "Ожидаемый срок: {expected}",
    ),
}
