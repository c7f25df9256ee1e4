"""ApiError: a request the simulator refuses, and the documented JSON error body it answers."""

from __future__ import annotations

from typing import Final

from service.core.errors import ServiceError

# Mavera documents the `type` only for 400, 401 and 429; the others are our choice.
ERROR_TYPES: Final[dict[int, str]] = {
    400: "invalid_request_error",
    401: "authentication_error",
    402: "billing_error",
    403: "permission_error",
    404: "invalid_request_error",
    405: "invalid_request_error",
    429: "rate_limit_error",
}


class ApiError(ServiceError):
    """An answer other than success, with the fields of Mavera's error object."""

    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        *,
        param: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        self.status = status
        self.code = code
        self.message = message
        self.param = param
        self.headers = dict(headers or {})
        super().__init__(f"HTTP {status} {code}: {message}")

    @property
    def type(self) -> str:
        return ERROR_TYPES.get(self.status, "api_error")

    def body(self) -> dict[str, object]:
        return {
            "error": {
                "message": self.message,
                "type": self.type,
                "code": self.code,
                "param": self.param,
            }
        }


def invalid_field(param: str, message: str) -> ApiError:
    return ApiError(400, "invalid_field", message, param=param)


def missing_field(param: str) -> ApiError:
    return ApiError(400, "missing_field", f"'{param}' is required", param=param)


def not_found(what: str) -> ApiError:
    return ApiError(404, "resource_not_found", f"no such {what}")


def server_error(status: int) -> ApiError:
    if status == 503:
        return ApiError(503, "service_unavailable", "the service is temporarily unavailable")
    return ApiError(500, "internal_error", "an internal error occurred")
